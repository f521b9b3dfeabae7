package org.wabridge.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtpRtcpTest {

    @Test
    void rtpValidation() {
        byte[] ok = Rtp.build(111, true, 65535, 0xFFFFFFFFL, 0x01020304L, new byte[3]);
        assertTrue(Rtp.isValidRtp(ok, ok.length));
        assertEquals(111, Rtp.payloadType(ok));
        assertTrue(Rtp.marker(ok));
        assertEquals(65535, Rtp.sequence(ok));
        assertEquals(0xFFFFFFFFL, Rtp.timestamp(ok));
        assertEquals(0x01020304L, Rtp.ssrc(ok));
        assertFalse(Rtp.isValidRtp(ok, 11), "shorter than a header");
        byte[] v1 = ok.clone();
        v1[0] = 0x40;
        assertFalse(Rtp.isValidRtp(v1, v1.length), "version 1");
        byte[] csrcs = ok.clone();
        csrcs[0] = (byte) 0x83; // claims 3 CSRCs that are not there
        assertFalse(Rtp.isValidRtp(csrcs, csrcs.length));
        byte[] ext = Arrays.copyOf(ok, 20);
        ext[0] = (byte) 0x90;
        ext[14] = 0;
        ext[15] = 5; // 5 words of extension, only 1 present
        assertFalse(Rtp.isValidRtp(ext, ext.length));
    }

    @Test
    void rfc5761Demultiplexing() {
        byte[] rtp = Rtp.build(111, true, 1, 1, 1, new byte[1]); // marker + 111 = 239: RTP
        assertFalse(Rtp.looksLikeRtcp(rtp, rtp.length));
        byte[] rtp0 = Rtp.build(0, true, 1, 1, 1, new byte[1]); // 128: RTP
        assertFalse(Rtp.looksLikeRtcp(rtp0, rtp0.length));
        byte[] sr = Rtcp.senderReport(1, 0, 0, 0, 0, "x");
        assertTrue(Rtp.looksLikeRtcp(sr, sr.length));
    }

    @Test
    void senderReportShape() {
        long now = 1_700_000_000_500L;
        byte[] sr = Rtcp.senderReport(0xAABBCCDDL, now, 12345, 10, 30, "wabridge-1");
        assertTrue(Rtcp.isValidCompound(sr, sr.length));
        assertEquals(200, sr[1] & 0xFF);
        assertEquals(6, Rtp.u16(sr, 2));
        assertEquals(0xAABBCCDDL, Rtcp.ssrc(sr));
        assertEquals(now / 1000 + 2_208_988_800L, Rtp.u32(sr, 8), "NTP seconds");
        assertEquals(0x80000000L, Rtp.u32(sr, 12), "half a second");
        assertEquals(12345, Rtp.u32(sr, 16));
        assertEquals(10, Rtp.u32(sr, 20));
        assertEquals(30, Rtp.u32(sr, 24));
        assertEquals(202, sr[29] & 0xFF, "SDES follows");
        assertEquals(0, sr.length % 4);
        assertEquals("wabridge-1", new String(sr, 38, sr[37], java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void malformedRtcpIsRecognised() {
        byte[] sr = Rtcp.senderReport(1, 0, 0, 0, 0, "cname");
        assertFalse(Rtcp.isValidCompound(sr, sr.length - 4), "length fields exceed the packet");
        assertFalse(Rtcp.isValidCompound(Arrays.copyOf(sr, sr.length + 4), sr.length + 4), "trailing bytes");
        byte[] sdesFirst = Arrays.copyOfRange(sr, 28, sr.length);
        assertFalse(Rtcp.isValidCompound(sdesFirst, sdesFirst.length), "must start with SR or RR");
        assertFalse(Rtcp.isValidCompound(new byte[] {(byte) 0x80, (byte) 200, 0}, 3), "too short");
    }
}
