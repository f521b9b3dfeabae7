package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gov.nist.javax.sip.parser.MessageParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import org.junit.jupiter.api.Test;

class CompleteMessageParserTest {

    static final String OPTIONS = "OPTIONS sip:bridge@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKcomplete\r\n"
            + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bridge@127.0.0.1>\r\nCall-ID: complete-1\r\n"
            + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

    static MessageParser parser() {
        return new CompleteMessageParser().createMessageParser(null);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCompleteMessagePasses() throws Exception {
        assertEquals("complete-1", parser().parseSIPMessage(bytes(OPTIONS), true, false, null).getCallId().getCallId());
    }

    @Test
    void aMessageCutInItsHeadersIsAParseError() {
        String cut = OPTIONS.substring(0, OPTIONS.indexOf("CSeq")) + "\r\n";
        ParseException e = assertThrows(ParseException.class,
                () -> parser().parseSIPMessage(bytes(cut), true, false, null));
        assertEquals("no CSeq header", e.getMessage());
        String noVia = OPTIONS.replaceFirst("Via: [^\r]*\r\n", "");
        assertThrows(ParseException.class, () -> parser().parseSIPMessage(bytes(noVia), true, false, null));
    }

    @Test
    void aCseqMethodUnlikeTheRequestsIsAParseError() {
        String mismatch = OPTIONS.replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
        assertThrows(ParseException.class, () -> parser().parseSIPMessage(bytes(mismatch), true, false, null));
    }

    @Test
    void blankLinesStayKeepAlives() throws Exception {
        assertNull(CompleteMessageParser.complete(null));
    }
}
