package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** RFC 3264 section 8: the version of our o= line toward one peer moves with our SDP, by one, and only then. */
class OriginVersionTest {

    private static String sdp(String direction) {
        return "v=0\r\no=wabridge 7301 1 IN IP4 203.0.113.5\r\ns=wabridge\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 8\r\nc=IN IP4 203.0.113.5\r\na=rtpmap:8 PCMA/8000\r\na=" + direction + "\r\n";
    }

    private static String origin(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("o=")).findFirst().orElseThrow();
    }

    @Test
    void goesUpByOneWhenTheSdpChangesAndStaysWhenItDoesNot() {
        OriginVersion v = new OriginVersion();
        assertEquals(sdp("sendrecv"), v.stamp(sdp("sendrecv")), "the first SDP keeps version 1");
        assertEquals(sdp("sendrecv"), v.stamp(sdp("sendrecv")), "the same SDP again: the same version");
        String hold = v.stamp(sdp("recvonly"));
        assertEquals("o=wabridge 7301 2 IN IP4 203.0.113.5", origin(hold));
        assertEquals(sdp("recvonly").replace(" 7301 1 ", " 7301 2 "), hold, "only the version changed");
        assertEquals(hold, v.stamp(sdp("recvonly")));
        assertEquals("o=wabridge 7301 3 IN IP4 203.0.113.5", origin(v.stamp(sdp("sendrecv"))),
                "back to an earlier SDP is still a change");
    }

    @Test
    void refusesTextWithoutAnOriginLineAsWeWriteIt() {
        assertThrows(IllegalArgumentException.class, () -> OriginVersion.withVersion("v=0\r\ns=x\r\n", 2));
        assertThrows(IllegalArgumentException.class, () -> OriginVersion.withVersion("v=0\r\no=- 1\r\n", 2));
    }
}
