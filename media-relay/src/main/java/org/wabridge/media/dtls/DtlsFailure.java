package org.wabridge.media.dtls;

/**
 * Why a DTLS-SRTP handshake did not produce keys. {@link #kind()} is what a call's end reason
 * names (each kind is a distinct documented cause); {@link #detail()} is for the log line.
 *
 * @param cause the exception BouncyCastle or our checks raised, or null
 */
public record DtlsFailure(Kind kind, String detail, Throwable cause) {

    public enum Kind {
        /** The peer's certificate does not hash to the {@code a=fingerprint} of its SDP. */
        FINGERPRINT_MISMATCH,
        /** The peer did not negotiate {@code use_srtp} with a profile we support. */
        NO_SRTP_PROFILE,
        /** No complete handshake within {@link DtlsSettings#handshakeTimeout()} (peer silent or lossy path). */
        TIMEOUT,
        /** Anything else: a fatal alert from the peer, no peer certificate, a protocol error. */
        HANDSHAKE_FAILED
    }

    @Override
    public String toString() {
        return "DTLS " + kind + ": " + detail;
    }
}
