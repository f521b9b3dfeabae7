package org.wabridge.media;

/**
 * Why the Meta leg could not carry media in DTLS mode: each kind is its own documented cause, and the call ends
 * both legs with it.
 *
 * @param detail what was seen, for the log and the call log (never a key)
 */
public record MetaLegFailure(Kind kind, String detail) {

    public enum Kind {
        /** No candidate pair with Meta was nominated in time (UDP blocked, wrong public address). */
        ICE_FAILED,
        /** Mid-call, Meta stopped answering consent checks (RFC 7675): the path is gone. */
        CONSENT_LOST,
        /** The DTLS handshake did not complete in time (peer silent, lossy path). */
        DTLS_TIMEOUT,
        /** Meta's certificate does not match the {@code a=fingerprint} of its SDP. */
        FINGERPRINT_MISMATCH,
        /** The handshake failed otherwise: an alert, no SRTP profile in common, a protocol error. */
        DTLS_FAILED
    }

    @Override
    public String toString() {
        return kind + ": " + detail;
    }
}
