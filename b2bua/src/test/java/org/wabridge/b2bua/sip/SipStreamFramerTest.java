package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SipStreamFramerTest {

    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 157.240.1.1\r\ns=-\r\nc=IN IP4 157.240.1.1\r\nt=0 0\r\n"
            + "m=audio 3480 RTP/SAVP 111 126\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n";

    private static final String INVITE = "INVITE sip:+15550001111@bridge.example.com;transport=tls SIP/2.0\r\n"
            + "Via: SIP/2.0/TLS 157.240.1.1:5061;branch=z9hG4bK-1\r\n"
            + "From: <sip:+447700900123@wa.meta.vc>;tag=a1\r\n"
            + "To: <sip:+15550001111@bridge.example.com>\r\n"
            + "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
            + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP;

    private static final String OK = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK-2\r\n"
            + "From: <sip:a@b>;tag=x\r\nTo: <sip:c@d>;tag=y\r\nCall-ID: c2\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";

    /** Everything the framer reported, in order: "message:" + the whole message, "ping", "pong". */
    private static final class Events implements SipStreamFramer.Sink {
        final List<String> seen = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();

        @Override
        public void message(byte[] head, byte[] body) {
            String h = new String(head, StandardCharsets.ISO_8859_1);
            String b = new String(body, StandardCharsets.ISO_8859_1);
            seen.add("message:" + h + b);
            bodies.add(b);
        }

        @Override
        public void ping() {
            seen.add("ping");
        }

        @Override
        public void pong() {
            seen.add("pong");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code stream} in pieces of {@code piece} bytes, as reads of a socket would bring it. */
    private static Events feed(SipStreamFramer framer, String stream, int piece) throws SipStreamFramer.FramingException {
        Events events = new Events();
        byte[] all = bytes(stream);
        for (int i = 0; i < all.length; i += piece) {
            framer.feed(all, i, Math.min(piece, all.length - i), events);
        }
        return events;
    }

    private static Events feed(String stream, int piece) throws SipStreamFramer.FramingException {
        return feed(new SipStreamFramer(65536), stream, piece);
    }

    @Test
    void aMessageWithABodyIsCutAtItsContentLengthHowEverTheReadsSplitIt() throws Exception {
        for (int piece : new int[] {1, 2, 3, 7, 100, 4096}) {
            Events events = feed(INVITE + OK, piece);
            assertEquals(List.of("message:" + INVITE, "message:" + OK), events.seen, "reads of " + piece + " bytes");
            assertEquals(List.of(SDP, ""), events.bodies, "the SDP is the first message's body, the 200 has none");
        }
    }

    @Test
    void theFramerHoldsOnlyTheUnfinishedMessage() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(65536);
        String partial = INVITE.substring(0, INVITE.length() - 10);
        Events events = feed(framer, OK + partial, 4096);
        assertEquals(List.of("message:" + OK), events.seen);
        assertEquals(partial.length(), framer.pending(), "the INVITE waits for its last 10 body bytes");
        Events rest = feed(framer, INVITE.substring(partial.length()), 4096);
        assertEquals(List.of("message:" + INVITE), rest.seen);
        assertEquals(0, framer.pending());
    }

    @Test
    void compactFoldedAndOddlySpacedContentLengthsAllCount() throws Exception {
        String compact = "MESSAGE sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello";
        String spaced = "MESSAGE sip:a@b SIP/2.0\r\ncontent-length  :\t5 \r\n\r\nhello";
        String folded = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n 5\r\nCall-ID: x\r\n\r\nhello";
        for (String message : List.of(compact, spaced, folded)) {
            assertEquals(List.of("hello"), feed(message + OK, 3).bodies.subList(0, 1), message);
        }
    }

    @Test
    void noContentLengthMeansNoBody() throws Exception {
        String bare = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";
        assertEquals(List.of("message:" + bare, "message:" + OK), feed(bare + OK, 5).seen);
    }

    @Test
    void aLineOfSpacesOrBareLineFeedsEndTheHeadersAsForJainSipsParser() throws Exception {
        String spaces = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 2\r\n  \r\nok";
        String lf = "OPTIONS sip:a@b SIP/2.0\nContent-Length: 2\n\nok";
        assertEquals(List.of("ok"), feed(spaces, 1).bodies);
        assertEquals(List.of("ok"), feed(lf, 1).bodies);
    }

    @Test
    void crlfsBetweenMessagesAreKeepAlives() throws Exception {
        // a pong alone, then a ping (whose first CRLF reads as a pong, as JAIN-SIP reads it), bare LFs ignored
        Events events = feed(OK + "\r\n" + OK + "\r\n\r\n\n" + OK + "\r\n\r\n\r\n\r\n", 1);
        assertEquals(List.of("message:" + OK, "pong", "message:" + OK, "pong", "ping", "message:" + OK,
                "pong", "ping", "pong", "ping"), events.seen);
    }

    @Test
    void aMessageEndsTheKeepAliveCount() throws Exception {
        // a lone CRLF before a message and one after it are two pongs, not a ping
        assertEquals(List.of("pong", "message:" + OK, "pong"), feed("\r\n" + OK + "\r\n", 4096).seen);
    }

    @Test
    void aContentLengthThatIsNotANumberCannotBeFramed() {
        for (String value : List.of("abc", "-1", "", "12345678901", "5x", "\u0661")) {
            String message = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: " + value + "\r\n\r\nhello";
            SipStreamFramer.FramingException e = assertThrows(SipStreamFramer.FramingException.class,
                    () -> feed(message, 4096), value);
            assertTrue(e.getMessage().contains("not a length"), e.getMessage());
        }
    }

    @Test
    void twoDifferentContentLengthsCannotBeFramed() {
        String message = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\nl: 6\r\n\r\nhello!";
        SipStreamFramer.FramingException e = assertThrows(SipStreamFramer.FramingException.class,
                () -> feed(message, 4096));
        assertEquals("two Content-Lengths, 5 and 6", e.getMessage());
    }

    @Test
    void theSameContentLengthTwiceIsOneLength() throws Exception {
        String message = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\nl: 5\r\n\r\nhello";
        assertEquals(List.of("hello"), feed(message, 4096).bodies);
    }

    @Test
    void aMessageLargerThanTheLimitIsRefusedFromItsHeaders() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(1000);
        String big = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 990\r\n\r\n";
        SipStreamFramer.FramingException e = assertThrows(SipStreamFramer.FramingException.class,
                () -> feed(framer, big, 4096));
        assertTrue(e.getMessage().startsWith("a message of " + (big.length() + 990) + " bytes"), e.getMessage());
        // at the limit exactly, it passes
        String fits = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 900\r\n\r\n";
        String body = "x".repeat(1000 - fits.length());
        String exact = fits.replace("900", Integer.toString(body.length()));
        assertEquals(1000, exact.length() + body.length());
        assertEquals(List.of(body), feed(new SipStreamFramer(1000), exact + body, 4096).bodies);
    }

    @Test
    void headersThatNeverEndAreRefusedAtTheLimit() throws Exception {
        SipStreamFramer framer = new SipStreamFramer(1000);
        feed(framer, "OPTIONS sip:a@b SIP/2.0\r\n" + "X: y\r\n".repeat(100), 50); // 625 bytes: still waiting
        SipStreamFramer.FramingException e = assertThrows(SipStreamFramer.FramingException.class,
                () -> feed(framer, "X: y\r\n".repeat(100), 50));
        assertEquals("no end of headers within 1000 bytes", e.getMessage());
    }

    @Test
    void aBodyLargerThanTheFirstBufferIsHeldWhole() throws Exception {
        String body = "a=x-filler:" + "0123456789".repeat(2000) + "\r\n";
        String message = "INFO sip:a@b SIP/2.0\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        assertEquals(List.of(body, ""), feed(message + OK, 1500).bodies);
    }
}
