package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReasonHeadersTest {
    private static final PbxAnswer REJECTED = new PbxAnswer(403, "WhatsApp: no approved call permission", 21,
            "CALL_REJECTED", null);

    @Test
    void q850AndMetaSipReasons() {
        assertEquals(List.of("Q.850;cause=21;text=\"CALL_REJECTED\"",
                        "SIP;cause=403;text=\"No Approved Call Permission Found\""),
                ReasonHeaders.forPbx(REJECTED, 403, "No Approved Call Permission Found"));
    }

    @Test
    void onlyQ850WhenTheFailureIsLocal() {
        assertEquals(List.of("Q.850;cause=21;text=\"CALL_REJECTED\""), ReasonHeaders.forPbx(REJECTED, null, "ignored"));
    }

    @Test
    void sipReasonWithoutTextWhenMetaGaveNone() {
        assertEquals("SIP;cause=503", ReasonHeaders.forPbx(REJECTED, 503, null).get(1));
        assertEquals("SIP;cause=503", ReasonHeaders.forPbx(REJECTED, 503, "  ").get(1));
    }

    @Test
    void quotesAndBackslashesAreEscapedAndLineBreaksRemoved() {
        String phrase = "SIP server \"a.b\" \\ bad\r\nInjected: header\u0007";
        assertEquals("SIP;cause=403;text=\"SIP server \\\"a.b\\\" \\\\ bad Injected: header\"",
                ReasonHeaders.forPbx(REJECTED, 403, phrase).get(1));
    }

    @Test
    void answerRejectsMultiLineTextAndBadRanges() {
        assertThrows(IllegalArgumentException.class, () -> new PbxAnswer(403, "a\r\nb", 21, "X", null));
        assertThrows(IllegalArgumentException.class, () -> new PbxAnswer(200, "OK", 16, "NORMAL_CLEARING", null));
        assertThrows(IllegalArgumentException.class, () -> new PbxAnswer(503, "x", 0, "X", null));
        assertThrows(IllegalArgumentException.class, () -> new PbxAnswer(503, "x", 34, "X", 0));
    }
}
