package org.wabridge.b2bua.sip;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The input of an accepted connection, answering RFC 5626 keep-alives that come before its first SIP message: each
 * double CRLF ping gets its single CRLF pong on the same connection, and blank lines are not passed on. From the
 * first other byte on it only passes bytes through: by then JAIN-SIP knows the connection (it caches it with the
 * first request) and answers later pings itself. A blank line before a message is allowed and ignored by
 * RFC 3261 7.5, so dropping it changes nothing for the parser.
 */
final class KeepAliveAnsweringInput extends FilterInputStream {

    /** Where the pong goes: the connection's output (looked up when needed). */
    interface Output {
        OutputStream get() throws IOException;
    }

    private static final byte[] PONG = "\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Output output;
    private boolean beforeFirstMessage = true;
    /** CR/LF bytes read since the last pong or the start, while before the first message. */
    private final StringBuilder blank = new StringBuilder(4);
    private long pongs;

    KeepAliveAnsweringInput(InputStream in, Output output) {
        super(in);
        this.output = output;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (!beforeFirstMessage || len == 0) {
            return in.read(b, off, len);
        }
        while (true) {
            int n = in.read(b, off, len);
            if (n <= 0) {
                return n;
            }
            int i = off;
            int end = off + n;
            while (i < end && (b[i] == '\r' || b[i] == '\n')) {
                blank.append((char) b[i]);
                if (blank.length() == 4 && "\r\n\r\n".contentEquals(blank)) {
                    answerPing();
                } else if (blank.length() == 4) {
                    blank.deleteCharAt(0); // only the last three bytes can start a ping
                }
                i++;
            }
            if (i < end) {
                beforeFirstMessage = false;
                System.arraycopy(b, i, b, off, end - i);
                return end - i;
            }
            // only blank lines so far: keep reading rather than return nothing
        }
    }

    private void answerPing() throws IOException {
        blank.setLength(0);
        OutputStream out = output.get();
        out.write(PONG);
        out.flush();
        pongs++;
    }

    /** Pongs sent by this stream (for tests). */
    long pongs() {
        return pongs;
    }
}
