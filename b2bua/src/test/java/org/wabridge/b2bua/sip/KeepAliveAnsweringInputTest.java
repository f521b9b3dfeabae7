package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class KeepAliveAnsweringInputTest {

    /** Hands out the given chunks one read at a time, as a socket would. */
    private static InputStream chunks(String... parts) {
        Deque<byte[]> queue = new ArrayDeque<>();
        for (String p : parts) {
            queue.add(p.getBytes(StandardCharsets.US_ASCII));
        }
        return new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                byte[] next = queue.poll();
                if (next == null) {
                    return -1;
                }
                int n = Math.min(len, next.length);
                System.arraycopy(next, 0, b, off, n);
                if (n < next.length) {
                    byte[] rest = new byte[next.length - n];
                    System.arraycopy(next, n, rest, 0, rest.length);
                    queue.push(rest);
                }
                return n;
            }
        };
    }

    private record Result(String passedOn, String answered) {}

    private static Result run(String... parts) throws IOException {
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        KeepAliveAnsweringInput in = new KeepAliveAnsweringInput(chunks(parts), () -> answers);
        String passed = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        return new Result(passed, answers.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void pingsBeforeTheFirstMessageAreAnsweredAndNotPassedOn() throws IOException {
        Result r = run("\r\n\r\n", "\r\n\r\n", "OPTIONS sip:x SIP/2.0\r\n\r\n");
        assertEquals("\r\n\r\n", r.answered(), "one pong per ping");
        assertEquals("OPTIONS sip:x SIP/2.0\r\n\r\n", r.passedOn());
    }

    @Test
    void aPingSplitAcrossReadsAndAPingFollowedByARequestInOneRead() throws IOException {
        Result r = run("\r", "\n\r", "\n", "\r\n\r\nINVITE sip:x SIP/2.0\r\n");
        assertEquals("\r\n\r\n", r.answered());
        assertEquals("INVITE sip:x SIP/2.0\r\n", r.passedOn());
    }

    @Test
    void afterTheFirstMessageEverythingPassesThroughUntouched() throws IOException {
        Result r = run("BYE sip:x SIP/2.0\r\n\r\n", "\r\n\r\n", "\r\n");
        assertEquals("", r.answered(), "JAIN-SIP answers pings on a known connection itself");
        assertEquals("BYE sip:x SIP/2.0\r\n\r\n\r\n\r\n\r\n", r.passedOn());
    }

    @Test
    void strayLineFeedsAreNotAPingAndDoNotGrowState() throws IOException {
        Result r = run("\n".repeat(10_000), "\r\n", "X");
        assertEquals("", r.answered());
        assertEquals("X", r.passedOn());
    }
}
