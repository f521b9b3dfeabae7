package org.wabridge.media.keying;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsEndpoint;
import org.wabridge.media.dtls.DtlsFailure;
import org.wabridge.media.dtls.DtlsRole;
import org.wabridge.media.dtls.DtlsSettings;
import org.wabridge.media.dtls.DtlsSrtpKeys;
import org.wabridge.media.ice.StunCodec;

/**
 * DTLS mode's one-time costs paid at start-up instead of by the first call: ice4j reads its configuration on the
 * first STUN encode (most of a second here), and BouncyCastle's first handshake loads and runs its TLS, ECDSA and
 * ECDHE code for the first time (the end-to-end tests saw the first call's ICE at 490-690 ms and its handshake at
 * 120-140 ms, later calls at 55-70 and 15-50 ms). One handshake between a client and a server endpoint in memory,
 * no socket.
 */
public final class KeyingWarmUp {

    private KeyingWarmUp() {
    }

    /** Runs the warm-up; returns null when the handshake completed, else why not. Never throws. */
    public static String run(DtlsCertificate certificate, DtlsSettings settings) {
        try {
            StunCodec.warmUp();
            CountDownLatch done = new CountDownLatch(2);
            AtomicReference<String> failure = new AtomicReference<>();
            DtlsEndpoint.Listener listener = new DtlsEndpoint.Listener() {
                @Override
                public void onConnected(DtlsSrtpKeys keys, Duration handshakeTime) {
                    done.countDown();
                }

                @Override
                public void onFailed(DtlsFailure f) {
                    failure.set(f.toString());
                    done.countDown();
                    done.countDown();
                }
            };
            DtlsEndpoint[] pair = new DtlsEndpoint[2];
            pair[0] = new DtlsEndpoint(DtlsRole.CLIENT, certificate, certificate.fingerprint(), settings,
                    d -> pair[1].receive(d, 0, d.length), listener);
            pair[1] = new DtlsEndpoint(DtlsRole.SERVER, certificate, certificate.fingerprint(),
                    settings.withServerLinger(Duration.ZERO), d -> pair[0].receive(d, 0, d.length), listener);
            try {
                pair[1].start();
                pair[0].start();
                if (!done.await(settings.handshakeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    return "no handshake within " + settings.handshakeTimeout().toSeconds() + " s";
                }
                return failure.get();
            } finally {
                pair[0].close();
                pair[1].close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (RuntimeException | LinkageError e) {
            return e.toString();
        }
    }
}
