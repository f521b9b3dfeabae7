package org.wabridge.b2bua;

/** The bridge cannot start: the message says what is wrong in words an admin can act on. */
public class BridgeException extends Exception {
    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
