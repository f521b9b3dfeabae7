package org.wabridge.media.keying;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.dtls.DatagramKind;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsEndpoint;
import org.wabridge.media.dtls.DtlsFailure;
import org.wabridge.media.dtls.DtlsRole;
import org.wabridge.media.dtls.DtlsSrtpKeys;
import org.wabridge.media.ice.ControllingIceAgent;
import org.wabridge.media.ice.IceEvents;
import org.wabridge.media.ice.SelectedPair;
import org.wabridge.media.relay.PacketSink;
import org.wabridge.media.sdp.LocalMedia.LocalDtls;
import org.wabridge.media.sdp.SdpPolicy.DtlsRemote;

/**
 * DTLS mode of one Meta leg, the order Meta asks for (facts file, section 4.3): ICE as the controlling agent until
 * the nominated pair succeeds, then the DTLS handshake on that pair, then the keys. Toward a peer whose SDP has no
 * ICE the handshake goes straight to its SDP address.
 *
 * <p>The ICE agent is pure code run on the event loop. The DTLS endpoint runs its handshake on a thread of its own
 * (BouncyCastle's DTLS is blocking) and sends from there; its outcome is handed back to the loop. The owner hears
 * everything on the loop, posted, so it never runs inside the caller's input.
 */
public final class DtlsIceKeying implements MetaKeying, IceEvents, DtlsEndpoint.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsIceKeying.class);

    /** What every call's keying shares: the relay's certificate, clocks, randomness and handshake threads. */
    public record Context(DtlsCertificate certificate, KeyingSettings settings, SecureRandom random,
                          ThreadFactory threads, LongSupplier clock) {}

    private final String callId;
    private final DtlsRemote remote;
    private final InetSocketAddress sdpAddress;
    private final PacketSink sink;
    private final Executor loop;
    private final Owner owner;
    private final LongSupplier clock;
    private final ControllingIceAgent ice;
    private final DtlsEndpoint dtls;

    /** Where DTLS and media go: the nominated pair's remote address; null until ICE completed. */
    private volatile InetSocketAddress peer;
    private volatile boolean closed;
    private boolean failed;

    /**
     * @param sdpAddress the address of Meta's m= line: the handshake's destination when Meta has no ICE
     * @param loop       the call's event loop: the owner is called there
     */
    public DtlsIceKeying(String callId, LocalDtls local, DtlsRemote remote, InetSocketAddress sdpAddress,
                         Context context, PacketSink sink, Executor loop, Owner owner) {
        this.callId = callId;
        this.remote = remote;
        this.sdpAddress = sdpAddress;
        this.sink = sink;
        this.loop = loop;
        this.owner = owner;
        this.clock = context.clock();
        this.ice = remote.ice() == null ? null : new ControllingIceAgent(local.ice(), local.candidates(),
                remote.ice(), context.settings().ice(), context.random(),
                (datagram, from, to) -> sink.toMeta(datagram, datagram.length, to), this);
        // made now, so that a ClientHello arriving before our ICE completes is kept (server role)
        this.dtls = new DtlsEndpoint(remote.ourRole(), context.certificate(), remote.fingerprint(),
                context.settings().dtls(), this::sendDtls, this, context.threads());
    }

    @Override
    public void start(long now) {
        if (closed) {
            return;
        }
        if (ice == null) {
            LOG.info("call {}: Meta's SDP has no ICE; DTLS ({}) straight to {}", callId, remote.ourRole(), sdpAddress);
            peer = sdpAddress;
            dtls.start();
            return;
        }
        LOG.debug("call {}: ICE toward {}", callId, remote.ice().candidates());
        ice.start(now);
    }

    @Override
    public boolean onPacket(byte[] data, int length, InetSocketAddress from, long now) {
        DatagramKind kind = DatagramKind.of(data, 0, length);
        if (kind == DatagramKind.STUN) {
            if (ice != null && !closed) {
                ice.onPacket(data, 0, length, from, now);
            }
            return true;
        }
        if (kind == DatagramKind.DTLS) {
            InetSocketAddress p = peer;
            // before ICE completes only a server-role endpoint keeps what it gets (an early ClientHello)
            if (!closed && (p == null || p.equals(from))) {
                dtls.receive(data, 0, length);
            }
            return true;
        }
        return false;
    }

    @Override
    public void tick(long now) {
        if (ice != null && !closed) {
            ice.tick(now);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (ice != null) {
            ice.close();
        }
        dtls.close();
    }

    // ------------------------------------------------------------------ ICE (on the loop, inside ice's methods)

    @Override
    public void completed(SelectedPair pair, Duration after) {
        peer = pair.remoteAddress();
        LOG.info("call {}: ICE completed in {} ms on {} -> {}{}; DTLS as {}", callId, after.toMillis(),
                pair.local().address(), pair.remoteAddress(),
                pair.localIsPeerReflexive() ? " (we are seen as " + pair.mapped() + ")" : "", remote.ourRole());
        post(now -> owner.milestone(MediaMilestone.ICE_COMPLETED, now));
        try {
            dtls.start();
        } catch (RuntimeException e) {
            fail(MetaLegFailure.Kind.DTLS_FAILED, "cannot start the DTLS handshake: " + e);
        }
    }

    @Override
    public void failed(String reason) {
        fail(MetaLegFailure.Kind.ICE_FAILED, reason);
    }

    @Override
    public void consentLost(Duration silentFor) {
        fail(MetaLegFailure.Kind.CONSENT_LOST, "Meta answered no consent check for " + silentFor.toSeconds()
                + " s (RFC 7675): the media path to Meta is gone");
    }

    // ------------------------------------------------------------------ DTLS (on the handshake thread)

    private void sendDtls(byte[] datagram) {
        InetSocketAddress p = peer;
        if (p != null && !closed) {
            sink.toMeta(datagram, datagram.length, p);
        }
    }

    @Override
    public void onConnected(DtlsSrtpKeys keys, Duration handshakeTime) {
        InetSocketAddress p = peer;
        LOG.debug("call {}: DTLS ({}) connected in {} ms, {}", callId, remote.ourRole(), handshakeTime.toMillis(),
                keys.suite());
        post(now -> {
            owner.milestone(MediaMilestone.DTLS_CONNECTED, now);
            owner.keyed(keys, p, now);
        });
    }

    @Override
    public void onFailed(DtlsFailure failure) {
        MetaLegFailure.Kind kind;
        if (failure.kind() == DtlsFailure.Kind.FINGERPRINT_MISMATCH) {
            kind = MetaLegFailure.Kind.FINGERPRINT_MISMATCH;
        } else if (failure.kind() == DtlsFailure.Kind.TIMEOUT) {
            kind = MetaLegFailure.Kind.DTLS_TIMEOUT;
        } else {
            kind = MetaLegFailure.Kind.DTLS_FAILED;
        }
        String role = remote.ourRole() == DtlsRole.CLIENT ? "client" : "server";
        fail(kind, "DTLS handshake (we are the " + role + ") with " + peer + ": " + failure.detail());
    }

    // ------------------------------------------------------------------

    private void fail(MetaLegFailure.Kind kind, String detail) {
        MetaLegFailure failure = new MetaLegFailure(kind, detail);
        post(now -> {
            if (!failed) {
                failed = true; // on the loop only
                owner.keyingFailed(failure, now);
            }
        });
    }

    /** Runs {@code task} on the loop with the loop's time, unless closed by then. */
    private void post(java.util.function.LongConsumer task) {
        if (closed) {
            return;
        }
        try {
            loop.execute(() -> {
                if (!closed) {
                    task.accept(clock.getAsLong());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("call {}: event loop gone, keying outcome dropped", callId);
        }
    }
}
