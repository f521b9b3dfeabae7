package org.wabridge.b2bua.sip;

import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * A TLS socket's input that turns any read failure into the end of the stream and closes the socket before the
 * reader sees that end. JAIN-SIP's reader (1.3.0-91) feeds its parser a double CRLF at the end of a connection,
 * which the parser takes for a keep-alive ping; its pong goes out only while the socket is open, and then fails
 * with ERRORs ({@link AcceptedTlsSocket}, {@link ConnectedTlsSocket}).
 */
abstract class ClosingAtEndInput extends FilterInputStream {

    ClosingAtEndInput(InputStream in) {
        super(in);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        int n = readOrEnd(b, off, len);
        if (n < 0) {
            closeSocket();
        }
        return n;
    }

    /** Reads from {@link #in}; -1 at the end or on any failure (which the socket's class reports). */
    abstract int readOrEnd(byte[] b, int off, int len);

    /** Closes the socket, quietly. */
    abstract void closeSocket();
}
