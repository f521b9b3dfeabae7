package org.wabridge.media;

/** The relay could not set up media for a call (no free ports, bind failure). */
public class MediaException extends Exception {
    public MediaException(String message) {
        super(message);
    }

    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
