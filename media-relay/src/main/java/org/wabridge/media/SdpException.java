package org.wabridge.media;

/** An SDP that cannot be used: the message says why, in words an admin understands. */
public class SdpException extends Exception {
    public SdpException(String message) {
        super(message);
    }
}
