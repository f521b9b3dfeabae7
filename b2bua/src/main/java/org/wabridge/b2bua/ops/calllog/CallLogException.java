package org.wabridge.b2bua.ops.calllog;

/** The call log database cannot be opened or read; the message says what to check. */
public class CallLogException extends Exception {

    public CallLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
