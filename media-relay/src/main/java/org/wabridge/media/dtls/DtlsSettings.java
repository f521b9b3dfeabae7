package org.wabridge.media.dtls;

import java.time.Duration;
import java.util.List;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * Timers and sizes of one DTLS-SRTP endpoint.
 *
 * @param initialResend  the first handshake retransmission timeout (RFC 6347 section 4.2.4 says
 *                       1 s; far too slow for audio from the first word: a lost flight would cost
 *                       a second of clipped speech). BouncyCastle doubles it after each resend.
 * @param handshakeTimeout the whole handshake must be done within this, counted from
 *                       {@link DtlsEndpoint#start()}; else the endpoint fails with
 *                       {@link DtlsFailure.Kind#TIMEOUT}.
 * @param maxDatagramSize the largest UDP payload we send: every DTLS record (and handshake
 *                       fragment) fits in it. 1152 = a 1200-byte path MTU minus IPv6 (40) and UDP (8)
 *                       headers, so the handshake is never IP-fragmented on either address family.
 * @param serverLinger   in the server role, how long after the handshake the endpoint still reads
 *                       the peer's datagrams, so that a client that lost our last flight (and
 *                       retransmits its own) gets it again (RFC 6347 section 4.2.4). The client
 *                       role sends no last flight and does not linger.
 * @param srtpSuites     the SRTP protection profiles we offer (client) or accept (server), most
 *                       preferred first.
 */
public record DtlsSettings(Duration initialResend, Duration handshakeTimeout, int maxDatagramSize,
                           Duration serverLinger, List<SrtpSuite> srtpSuites) {

    /** UDP payload for a 1200-byte path MTU over IPv6 (IPv4 would allow 1172). */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 1200 - 40 - 8;

    public DtlsSettings {
        if (initialResend.toMillis() < 10) {
            throw new IllegalArgumentException("initialResend must be at least 10 ms: " + initialResend);
        }
        if (handshakeTimeout.compareTo(initialResend) <= 0 || handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("handshakeTimeout must be longer than initialResend: " + handshakeTimeout);
        }
        // a DTLS record header (13) + a handshake header (12) + AEAD overhead (24) + some payload
        if (maxDatagramSize < 128 || maxDatagramSize > 65507) {
            throw new IllegalArgumentException("maxDatagramSize must be 128..65507: " + maxDatagramSize);
        }
        if (serverLinger.isNegative()) {
            throw new IllegalArgumentException("serverLinger must not be negative: " + serverLinger);
        }
        if (srtpSuites.isEmpty()) {
            throw new IllegalArgumentException("at least one SRTP suite is needed");
        }
        srtpSuites = List.copyOf(srtpSuites);
    }

    /**
     * 250 ms first resend (a lost flight costs about a quarter of a second), 10 s for the whole
     * handshake, 1152-byte datagrams, 30 s linger, AES_CM_128_HMAC_SHA1_80 then _32.
     */
    public static DtlsSettings defaults() {
        return new DtlsSettings(Duration.ofMillis(250), Duration.ofSeconds(10), DEFAULT_MAX_DATAGRAM_SIZE,
                Duration.ofSeconds(30), List.of(SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpSuite.AES_CM_128_HMAC_SHA1_32));
    }

    public DtlsSettings withInitialResend(Duration d) {
        return new DtlsSettings(d, handshakeTimeout, maxDatagramSize, serverLinger, srtpSuites);
    }

    public DtlsSettings withHandshakeTimeout(Duration d) {
        return new DtlsSettings(initialResend, d, maxDatagramSize, serverLinger, srtpSuites);
    }

    public DtlsSettings withMaxDatagramSize(int size) {
        return new DtlsSettings(initialResend, handshakeTimeout, size, serverLinger, srtpSuites);
    }

    public DtlsSettings withServerLinger(Duration d) {
        return new DtlsSettings(initialResend, handshakeTimeout, maxDatagramSize, d, srtpSuites);
    }

    public DtlsSettings withSrtpSuites(List<SrtpSuite> suites) {
        return new DtlsSettings(initialResend, handshakeTimeout, maxDatagramSize, serverLinger, suites);
    }
}
