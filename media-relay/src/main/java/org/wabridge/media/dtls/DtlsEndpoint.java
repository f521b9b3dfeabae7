package org.wabridge.media.dtls;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS-SRTP handshake (RFC 5763/5764, DTLS 1.2 with BouncyCastle) of one media leg, with no
 * socket inside: the caller feeds the datagrams it reads ({@link #receive}) and gives a
 * {@link Sink} for the ones to send, so the same code runs on the relay's Netty sockets and, in
 * tests, back to back in memory. The result is the leg's SRTP keys ({@link DtlsSrtpKeys}), handed
 * to a {@link Listener}, which feed the same {@code SrtpEndpoint} as SDES keys do.
 *
 * <h2>How the Meta leg is meant to wire it (DTLS mode)</h2>
 * <ol>
 *   <li>One {@link DtlsCertificate} per relay start; its {@link DtlsCertificate#fingerprint()} goes
 *       in every {@code a=fingerprint:sha-256} we send. Meta's {@code a=fingerprint} is parsed with
 *       {@link DtlsFingerprint#parse} (none in Meta's SDP: Meta's own "No fingerprint found in SDP"
 *       cause, no endpoint is created).</li>
 *   <li>The role comes from {@code a=setup} ({@link DtlsRole#fromRemoteSetup}): Meta offers
 *       {@code actpass}, we answer {@code active} and are the {@link DtlsRole#CLIENT}, as Meta
 *       requires. {@link DtlsRole#SERVER} is for peers that answer our {@code actpass} with
 *       {@code active}.</li>
 *   <li><b>ICE first.</b> Meta is ICE-lite and wants DTLS only after the ICE check it answered has
 *       been nominated. Create the endpoint when Meta's SDP is known, demultiplex the leg's socket
 *       with {@link DatagramKind} (STUN to ICE, DTLS to {@link #receive}, SRTP/SRTCP to the SRTP
 *       path), and call {@link #start()} the moment ICE completes: the client's ClientHello leaves at
 *       once, to the nominated pair's address (the sink decides where datagrams go). A server-role
 *       endpoint may be started earlier: it only waits for the ClientHello, and datagrams received
 *       before {@link #start()} are kept.</li>
 *   <li><b>Keys into the SRTP path.</b> {@link Listener#onConnected} gives the keys; build the
 *       leg's {@code SrtpEndpoint} with {@link DtlsSrtpKeys#newSrtpEndpoint} (or from
 *       {@link DtlsSrtpKeys#local()}/{@link DtlsSrtpKeys#remote()}, the same {@code CryptoAttribute}
 *       pair SDES produces) and start the Meta leg exactly as in SDES mode: the first SRTP packet
 *       leaves at once, silence and SRTCP keep the leg alive.</li>
 *   <li><b>No clipping.</b> Until the keys exist the PBX's audio waits in the relay's bounded
 *       prebuffer, as it does until the Meta leg starts in SDES mode, and is released in order when
 *       the keys arrive. With a 250 ms first retransmission a lost flight costs about 250 ms, not
 *       the 1-3 s Meta warns about.</li>
 *   <li><b>Failures.</b> {@link Listener#onFailed} says why ({@link DtlsFailure.Kind}: fingerprint
 *       mismatch, no SRTP profile, timeout, anything else); the call ends both legs with that
 *       cause. Close the endpoint when the call ends, in any state.</li>
 * </ol>
 *
 * <h2>Threads and timers</h2>
 * BouncyCastle's DTLS protocol is blocking: it reads with a timeout and drives its retransmission
 * timers from that read. Each endpoint therefore runs its handshake on one thread of its own (from
 * the {@link ThreadFactory} given, daemon threads named {@code dtls-N} by default). The thread
 * lives only for the handshake (plus, in the server role, {@link DtlsSettings#serverLinger()} to
 * answer a client that lost our last flight); a handshake is a few round trips, so few such threads
 * exist at once even with many calls starting. No caller thread ever waits for it:
 * {@link #receive} copies the datagram into a bounded queue (or drops it), {@link #start()} and
 * {@link #close()} return at once. The timers are BouncyCastle's, set from {@link DtlsSettings}:
 * the first retransmission after {@link DtlsSettings#initialResend()} (250 ms by default, doubling
 * each time), the whole handshake bounded by {@link DtlsSettings#handshakeTimeout()} (10 s), which
 * the transport enforces too. While the handshake runs, the peer's records reach BouncyCastle
 * through an {@link EpochGate}, which works around BouncyCastle dropping epoch-0 records for good
 * once it has read a ChangeCipherSpec (a lost CertificateVerify would otherwise hang a server).
 *
 * <h2>Callbacks</h2>
 * Exactly one of {@link Listener#onConnected} and {@link Listener#onFailed} is called, once, on
 * the handshake thread, unless {@link #close()} came first: after {@code close()} returns no
 * callback starts, and the owner that closed needs none. The listener must not block (hand over
 * to the call's queue); the {@link Sink} is called on the handshake thread too, must not block
 * either, and is never called once {@code close()} returned.
 */
public final class DtlsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsEndpoint.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    /** Daemon threads named {@code dtls-N}. */
    public static final ThreadFactory DEFAULT_THREADS = task -> {
        Thread t = new Thread(task, "dtls-" + THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    };

    /** Where the endpoint's datagrams go (the leg's socket, toward the peer's ICE-selected address). */
    @FunctionalInterface
    public interface Sink {
        /** One whole datagram, owned by the callee from now on. Must not block. */
        void send(byte[] datagram);
    }

    /** The handshake's outcome: one of the two, once. */
    public interface Listener {
        /** Keys exist; {@code handshakeTime} is counted from {@link #start()}. */
        void onConnected(DtlsSrtpKeys keys, Duration handshakeTime);

        void onFailed(DtlsFailure failure);
    }

    public enum State { NEW, HANDSHAKING, CONNECTED, FAILED, CLOSED }

    private final DtlsRole role;
    private final DtlsCertificate certificate;
    private final DtlsFingerprint remoteFingerprint;
    private final DtlsSettings settings;
    private final Listener listener;
    private final ThreadFactory threads;
    private final QueueTransport transport;
    private final AtomicBoolean reported = new AtomicBoolean();

    private volatile State state = State.NEW;
    private volatile DtlsSrtpKeys keys;
    private long startNanos;

    /**
     * @param remoteFingerprint the peer's {@code a=fingerprint}: its certificate must match it
     */
    public DtlsEndpoint(DtlsRole role, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint,
                        DtlsSettings settings, Sink sink, Listener listener, ThreadFactory threads) {
        this.role = Objects.requireNonNull(role, "role");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.remoteFingerprint = Objects.requireNonNull(remoteFingerprint, "remoteFingerprint");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.threads = Objects.requireNonNull(threads, "threads");
        this.transport = new QueueTransport(role, settings.maxDatagramSize(), settings.handshakeTimeout().toMillis(),
                Objects.requireNonNull(sink, "sink"));
    }

    public DtlsEndpoint(DtlsRole role, DtlsCertificate certificate, DtlsFingerprint remoteFingerprint,
                        DtlsSettings settings, Sink sink, Listener listener) {
        this(role, certificate, remoteFingerprint, settings, sink, listener, DEFAULT_THREADS);
    }

    /**
     * Starts the handshake on its own thread and returns at once: a client sends its ClientHello
     * now, a server waits for one. The handshake timeout counts from here. No-op once closed.
     */
    public void start() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            if (state != State.NEW) {
                throw new IllegalStateException("DTLS endpoint already started");
            }
            state = State.HANDSHAKING;
            startNanos = System.nanoTime();
            transport.armDeadline(startNanos);
        }
        try {
            threads.newThread(this::run).start();
        } catch (RuntimeException | Error e) {
            transition(State.FAILED); // no thread, no callback: the caller gets the exception
            throw e;
        }
    }

    /**
     * A DTLS datagram from the peer (first byte 20..63, see {@link DatagramKind}). Copies it and
     * returns at once; false when it was dropped (endpoint done or closed, queue full).
     */
    public boolean receive(byte[] datagram, int offset, int length) {
        return transport.offer(datagram, offset, length);
    }

    /**
     * Ends the endpoint in any state and returns at once: the handshake thread wakes up and ends,
     * no callback starts and no datagram is sent after this returns. Keys already produced stay
     * valid ({@link #keys()}); the SRTP session does not depend on this endpoint.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        reported.set(true);
        transport.shutdown();
    }

    public State state() {
        return state;
    }

    public DtlsRole role() {
        return role;
    }

    /** The keys once the handshake succeeded. */
    public Optional<DtlsSrtpKeys> keys() {
        return Optional.ofNullable(keys);
    }

    public long datagramsSent() {
        return transport.datagramsSent();
    }

    public long datagramsReceived() {
        return transport.datagramsReceived();
    }

    /** Datagrams refused by {@link #receive}: queue full, too large, or the endpoint done. */
    public long datagramsDropped() {
        return transport.datagramsDropped();
    }

    private void run() {
        HandshakeOutcome outcome = new HandshakeOutcome(role, settings, new BcTlsCrypto(new SecureRandom()),
                certificate, remoteFingerprint);
        DTLSTransport dtls;
        try {
            dtls = role == DtlsRole.CLIENT
                    ? new DTLSClientProtocol().connect(new SrtpTlsClient(outcome), transport)
                    : new DTLSServerProtocol().accept(new SrtpTlsServer(outcome), transport);
        } catch (Throwable e) {
            transport.stopAccepting();
            DtlsFailure failure = classify(outcome, e);
            if (transition(State.FAILED)) {
                LOG.debug("DTLS handshake as {} failed: {}", role, failure);
                report(() -> listener.onFailed(failure));
            }
            if (e instanceof Error error && !(e instanceof LinkageError)) {
                throw error;
            }
            return;
        }
        transport.handshakeDone();
        DtlsSrtpKeys result = outcome.keys();
        keys = result;
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        if (transition(State.CONNECTED)) {
            LOG.debug("DTLS handshake as {} done in {} ms: {}", role, took.toMillis(), result.suite());
            report(() -> listener.onConnected(result, took));
        }
        if (role == DtlsRole.SERVER) {
            linger(dtls, outcome);
        }
        transport.stopAccepting();
    }

    /**
     * RFC 6347 section 4.2.4: the server sent the last flight, and must send it again when the
     * client, having lost it, retransmits its own. BouncyCastle does that inside its receive.
     */
    private void linger(DTLSTransport dtls, HandshakeOutcome outcome) {
        long end = System.nanoTime() + settings.serverLinger().toNanos();
        try {
            byte[] buf = new byte[dtls.getReceiveLimit()];
            while (state == State.CONNECTED && !outcome.peerClosed()) {
                long leftMillis = (end - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) {
                    break;
                }
                long calls = transport.receiveCalls();
                dtls.receive(buf, 0, buf.length, (int) Math.min(leftMillis, 1000));
                if (transport.receiveCalls() == calls) {
                    break; // BouncyCastle no longer reads: the connection is closed
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.debug("DTLS server stops listening after the handshake: {}", e.toString());
        }
    }

    private synchronized boolean transition(State to) {
        if (state != State.HANDSHAKING) {
            return false;
        }
        state = to;
        return true;
    }

    private void report(Runnable callback) {
        if (!reported.compareAndSet(false, true)) {
            return;
        }
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("DTLS listener failed", e);
        }
    }

    private DtlsFailure classify(HandshakeOutcome outcome, Throwable e) {
        DtlsFailure ours = outcome.failure();
        if (ours != null) {
            return new DtlsFailure(ours.kind(), ours.detail(), e);
        }
        String as = " (as DTLS " + role.name().toLowerCase(Locale.ROOT) + ", " + transport.datagramsSent() + " datagrams sent, "
                + transport.datagramsReceived() + " received)";
        if (e instanceof TlsTimeoutException) {
            return new DtlsFailure(DtlsFailure.Kind.TIMEOUT, "no complete DTLS handshake within "
                    + settings.handshakeTimeout().toMillis() + " ms" + as, e);
        }
        short alert = outcome.fatalAlertReceived();
        if (alert >= 0) {
            return new DtlsFailure(DtlsFailure.Kind.HANDSHAKE_FAILED, "the peer sent the fatal alert "
                    + AlertDescription.getText(alert) + as, e);
        }
        if (e instanceof TlsFatalAlert fatal) {
            return new DtlsFailure(DtlsFailure.Kind.HANDSHAKE_FAILED, "DTLS handshake failed with alert "
                    + AlertDescription.getText(fatal.getAlertDescription()) + ": " + e.getMessage() + as, e);
        }
        return new DtlsFailure(DtlsFailure.Kind.HANDSHAKE_FAILED, "DTLS handshake failed: " + e + as, e);
    }
}
