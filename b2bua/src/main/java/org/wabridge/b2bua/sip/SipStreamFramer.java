package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts the byte stream of a SIP connection (TCP or TLS) into whole messages, by RFC 3261 18.3: a message ends after
 * its blank line and the number of body bytes its Content-Length (or {@code l}) header gives. CRLFs between
 * messages are RFC 5626 keep-alives: each CRLF reads as a pong, and one that follows a CRLF completes a ping (as
 * JAIN-SIP reads them; a pong only ends a wait for one). Pure: bytes in, events out, nothing parsed past the
 * framing; the connection's reader owns the socket and the thread.
 */
public final class SipStreamFramer {

    /** What the framer finds, in stream order, on the thread that feeds it. */
    public interface Sink {
        /**
         * One whole message, in arrays of its own: {@code head} from its start line to its blank line included,
         * {@code body} the Content-Length bytes after it (empty when there are none).
         */
        void message(byte[] head, byte[] body);

        /** A double CRLF between messages: the peer asks for a pong. */
        void ping();

        /** A CRLF between messages. */
        void pong();
    }

    /** The stream cannot be cut into messages any more; the connection must be closed. */
    public static final class FramingException extends IOException {
        FramingException(String message) {
            super(message);
        }
    }

    private final int maxMessageSize;
    private byte[] buffer = new byte[4096];
    /** The held bytes: {@code buffer[start, end)}; every position below is counted from {@code start}. */
    private int start;
    private int end;
    private boolean inMessage;
    /** How far the header scan has read, and where the line it is in began. */
    private int scanned;
    private int lineStart;
    /** Once the headers are complete: their length, blank line included, and the message's, else -1. */
    private int headLength = -1;
    private int messageLength = -1;
    private boolean firstLine;
    private boolean headerIsContentLength;
    private final StringBuilder contentLengthText = new StringBuilder(8);
    private long contentLength = -1;
    /** Keep-alive state between messages. */
    private boolean crPending;
    private boolean crlfBefore;

    /** @param maxMessageSize the largest message, headers and body, that the peer may send; 0 for no limit */
    public SipStreamFramer(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize > 0 ? maxMessageSize : Integer.MAX_VALUE;
    }

    /** Takes the next {@code length} bytes of the stream and reports what they complete. */
    public void feed(byte[] bytes, int offset, int length, Sink sink) throws FramingException {
        hold(bytes, offset, length);
        while (inMessage ? nextMessage(sink) : skipKeepAlives(sink)) {
            // each round finishes a message or reaches its first byte
        }
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /** Bytes held that are not yet a whole message (for tests and diagnostics). */
    int pending() {
        return end - start;
    }

    private void hold(byte[] bytes, int offset, int length) {
        if (end + length > buffer.length) {
            int held = end - start;
            if (held + length > buffer.length) {
                buffer = Arrays.copyOfRange(buffer, start, start + Math.max(buffer.length * 2, held + length));
            } else {
                System.arraycopy(buffer, start, buffer, 0, held);
            }
            start = 0;
            end = held;
        }
        System.arraycopy(bytes, offset, buffer, end, length);
        end += length;
    }

    /** Consumes CRs and LFs before a message; true when a message's first byte is reached. */
    private boolean skipKeepAlives(Sink sink) {
        while (start < end) {
            byte b = buffer[start];
            if (b == '\r') {
                crPending = true;
            } else if (b == '\n') {
                if (crPending) {
                    crPending = false;
                    if (crlfBefore) {
                        crlfBefore = false;
                        sink.ping();
                    } else {
                        crlfBefore = true;
                        sink.pong();
                    }
                } // a bare LF is a blank line, ignored (RFC 3261 7.5)
            } else {
                startMessage();
                return true;
            }
            start++;
        }
        return false;
    }

    private void startMessage() {
        inMessage = true;
        crPending = false;
        crlfBefore = false;
        scanned = 0;
        lineStart = 0;
        headLength = -1;
        messageLength = -1;
        firstLine = true;
        headerIsContentLength = false;
        contentLength = -1;
    }

    /** Reads on in the current message; true when it was complete and handed over. */
    private boolean nextMessage(Sink sink) throws FramingException {
        if (messageLength < 0 && !scanHeaders()) {
            return false;
        }
        if (end - start < messageLength) {
            return false;
        }
        sink.message(Arrays.copyOfRange(buffer, start, start + headLength),
                Arrays.copyOfRange(buffer, start + headLength, start + messageLength));
        start += messageLength;
        inMessage = false;
        return true;
    }

    /** Scans on to the blank line that ends the headers; true once found and the message's length is known. */
    private boolean scanHeaders() throws FramingException {
        int held = end - start;
        while (scanned < held) {
            if (buffer[start + scanned] != '\n') {
                scanned++;
                continue;
            }
            int lineEnd = scanned > lineStart && buffer[start + scanned - 1] == '\r' ? scanned - 1 : scanned;
            scanned++;
            if (!firstLine && blank(lineStart, lineEnd)) {
                endHeader();
                long length = scanned + Math.max(contentLength, 0);
                if (length > maxMessageSize) {
                    throw new FramingException("a message of " + length + " bytes (Content-Length " + contentLength
                            + "), more than the " + maxMessageSize + " allowed");
                }
                headLength = scanned;
                messageLength = (int) length;
                return true;
            }
            headerLine(lineStart, lineEnd);
            lineStart = scanned;
        }
        if (held > maxMessageSize) {
            throw new FramingException("no end of headers within " + maxMessageSize + " bytes");
        }
        return false;
    }

    /** One line of the header section, without its line end, positions counted from {@code start}. */
    private void headerLine(int from, int to) throws FramingException {
        if (firstLine) {
            firstLine = false; // the request or status line
            return;
        }
        byte first = from < to ? buffer[start + from] : (byte) ' ';
        if (first == ' ' || first == '\t') {
            if (headerIsContentLength) {
                contentLengthText.append(' ').append(text(from, to)); // a folded value (RFC 3261 7.3.1)
            }
            return;
        }
        endHeader();
        int colon = indexOf((byte) ':', from, to);
        if (colon < 0) {
            return; // not a header; the parser decides what to make of it
        }
        if (nameIs("Content-Length", from, colon) || nameIs("l", from, colon)) {
            headerIsContentLength = true;
            contentLengthText.setLength(0);
            contentLengthText.append(text(colon + 1, to));
        }
    }

    /** Takes the value of a Content-Length header that just ended. */
    private void endHeader() throws FramingException {
        if (!headerIsContentLength) {
            return;
        }
        headerIsContentLength = false;
        String value = contentLengthText.toString().trim();
        long length = value.length() > 0 && value.length() <= 10 && value.chars().allMatch(c -> c >= '0' && c <= '9')
                ? Long.parseLong(value) : -1;
        if (length < 0) {
            throw new FramingException("a Content-Length that is not a length: \"" + value + "\"");
        }
        if (contentLength >= 0 && contentLength != length) {
            throw new FramingException("two Content-Lengths, " + contentLength + " and " + length);
        }
        contentLength = length;
    }

    /**
     * Whether the header name in {@code [from, to)}, around spaces and tabs, is {@code name} in any case: compared
     * in place, since every header line of every message passes here.
     */
    private boolean nameIs(String name, int from, int to) {
        while (from < to && isBlank(buffer[start + from])) {
            from++;
        }
        while (to > from && isBlank(buffer[start + to - 1])) {
            to--;
        }
        if (to - from != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = (char) (buffer[start + from + i] & 0xff);
            if (Character.toLowerCase(c) != Character.toLowerCase(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    /** A line of nothing but spaces and tabs ends the headers too, as it does for JAIN-SIP's parser. */
    private boolean blank(int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isBlank(buffer[start + i])) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[start + i] == b) {
                return i;
            }
        }
        return -1;
    }

    private String text(int from, int to) {
        return new String(buffer, start + from, to - from, StandardCharsets.ISO_8859_1);
    }
}
