package org.wabridge.media;

/** An SDP that cannot be used: the message says why, in words an admin understands. */
public class SdpException extends Exception {

    /** What is wrong, where the B2BUA needs to tell causes apart. */
    public enum Problem {
        /** Anything that makes the SDP unusable (codecs, addresses, keys, syntax). */
        UNUSABLE,
        /** DTLS-SRTP without an {@code a=fingerprint}: Meta's own "No fingerprint found in SDP". */
        NO_FINGERPRINT,
        /** The call needs transcoding and every slot of {@code media.maxTranscodedCalls} is taken: try later. */
        TRANSCODING_BUSY
    }

    private final Problem problem;

    public SdpException(String message) {
        this(Problem.UNUSABLE, message);
    }

    public SdpException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
