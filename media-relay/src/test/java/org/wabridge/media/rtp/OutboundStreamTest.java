package org.wabridge.media.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wabridge.media.sdp.Codec;

class OutboundStreamTest {

    private static final long OUR_SSRC = 0x0BADCAFEL;
    private static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};

    private static byte[] pbx(int seq, long ts, long ssrc, int pt) {
        return Rtp.build(pt, false, seq, ts, ssrc, new byte[20]);
    }

    private static byte[] forward(OutboundStream out, byte[] p, long now) {
        out.rewritePbxPacket(p, p.length, 111, 48000, now);
        return p;
    }

    @Test
    void pbxStreamKeepsItsSpacingUnderOurSsrc() {
        OutboundStream out = new OutboundStream(OUR_SSRC, 1000, 500_000);
        for (int i = 0; i < 5; i++) {
            byte[] p = forward(out, pbx(60_000 + i, 7000 + i * 960L, 0x1234, 96), i * 20L);
            assertEquals(OUR_SSRC, Rtp.ssrc(p));
            assertEquals(1000 + i, Rtp.sequence(p));
            assertEquals(500_000 + i * 960L, Rtp.timestamp(p));
            assertEquals(111, Rtp.payloadType(p), "payload type rewritten");
        }
        assertEquals(5, out.packetsSent());
    }

    @Test
    void pbxSsrcChangeContinuesSequenceAndAdvancesTimestampByWallClock() {
        OutboundStream out = new OutboundStream(OUR_SSRC, 10, 0);
        forward(out, pbx(100, 7000, 0xAAAA, 96), 0);
        forward(out, pbx(101, 7960, 0xAAAA, 96), 20);
        // a new SSRC 200 ms later with unrelated numbering
        byte[] p = forward(out, pbx(5, 123_456_789, 0xBBBB, 96), 220);
        assertEquals(12, Rtp.sequence(p));
        assertEquals(960 + 10 * 960, Rtp.timestamp(p), "10 frames of wall-clock after the last packet");
        assertTrue(Rtp.marker(p), "new talkspurt");
        assertEquals(OUR_SSRC, Rtp.ssrc(p));
        byte[] next = forward(out, pbx(6, 123_456_789 + 960, 0xBBBB, 96), 240);
        assertEquals(13, Rtp.sequence(next));
        assertEquals(960 + 11 * 960, Rtp.timestamp(next));
        assertFalse(Rtp.marker(next));
    }

    @Test
    void generatedFramesKeepToTheWallClockWhenTheTimerLosesTicks() {
        OutboundStream out = new OutboundStream(OUR_SSRC, 100, 0);
        byte[] first = out.nextGenerated(111, OPUS_SILENCE, 48000, 1000);
        long t0 = Rtp.timestamp(first);
        // a loaded machine: the 20 ms timer fires late and its missed runs are skipped, 5 frames lost at 1120
        byte[] a = out.nextGenerated(111, OPUS_SILENCE, 48000, 1020);
        byte[] b = out.nextGenerated(111, OPUS_SILENCE, 48000, 1120);
        byte[] c = out.nextGenerated(111, OPUS_SILENCE, 48000, 1141);
        assertEquals(t0 + 960, Rtp.timestamp(a));
        assertEquals(t0 + 6 * 960, Rtp.timestamp(b), "the lost frames' time is skipped, not lost");
        assertEquals(t0 + 7 * 960, Rtp.timestamp(c), "then one frame per tick again");
        assertEquals(103, Rtp.sequence(c), "sequence numbers stay unbroken");
    }

    @Test
    void silenceContinuesTheStreamAndPbxResumesAfterIt() {
        OutboundStream out = new OutboundStream(OUR_SSRC, 65_534, 0xFFFF_FF00L);
        forward(out, pbx(1, 0, 0xAAAA, 96), 0);
        // the PBX went quiet; silence from 1000 ms on, one frame per 20 ms timer tick (with jitter)
        byte[] s1 = out.nextGenerated(111, OPUS_SILENCE, 48000, 1000);
        byte[] s2 = out.nextGenerated(111, OPUS_SILENCE, 48000, 1031);
        byte[] s3 = out.nextGenerated(111, OPUS_SILENCE, 48000, 1040);
        assertEquals(65_535, Rtp.sequence(s1));
        assertEquals(0, Rtp.sequence(s2), "sequence wraps");
        assertEquals(1, Rtp.sequence(s3));
        assertEquals((0xFFFF_FF00L + 50 * 960) & 0xFFFF_FFFFL, Rtp.timestamp(s1), "1 s of wall-clock");
        assertEquals((Rtp.timestamp(s1) + 960) & 0xFFFF_FFFFL, Rtp.timestamp(s2));
        assertEquals((Rtp.timestamp(s2) + 960) & 0xFFFF_FFFFL, Rtp.timestamp(s3));
        assertArrayEquals(OPUS_SILENCE, java.util.Arrays.copyOfRange(s1, 12, s1.length));
        byte[] back = forward(out, pbx(2, 960, 0xAAAA, 96), 1060);
        assertEquals(2, Rtp.sequence(back), "same PBX SSRC after silence is re-anchored, no jump");
        assertEquals((Rtp.timestamp(s3) + 960) & 0xFFFF_FFFFL, Rtp.timestamp(back));
    }

    @Test
    void dtmfEventKeepsOneTimestampAndReorderingIsPreserved() {
        OutboundStream out = new OutboundStream(OUR_SSRC, 0, 0);
        forward(out, pbx(10, 9600, 0xAAAA, 96), 0);
        long[] ts = new long[3];
        for (int i = 0; i < 3; i++) {
            byte[] p = pbx(11 + i, 10_560, 0xAAAA, 101);
            out.rewritePbxPacket(p, p.length, 126, 8000, 20 + i * 20L);
            ts[i] = Rtp.timestamp(p);
            assertEquals(126, Rtp.payloadType(p));
            assertEquals(1 + i, Rtp.sequence(p));
        }
        assertEquals(ts[0], ts[1]);
        assertEquals(ts[1], ts[2]);
        byte[] late15 = pbx(15, 20_000, 0xAAAA, 96);
        byte[] late14 = pbx(14, 19_040, 0xAAAA, 96);
        forward(out, late15, 100);
        forward(out, late14, 101);
        assertEquals(5, Rtp.sequence(late15));
        assertEquals(4, Rtp.sequence(late14), "a late packet keeps its place");
        byte[] next = out.nextGenerated(111, OPUS_SILENCE, 48000, 2000);
        assertEquals(6, Rtp.sequence(next), "no sequence reused after a reordered packet");
    }

    @Test
    void aRepeatedPbxSequenceNumberGetsTheNextOneSoSrtpDoesNotRefuseItAsAReplay() {
        OutboundStream out = new OutboundStream(OUR_SSRC, 100, 0);
        forward(out, pbx(7990, 9600, 0xAAAA, 96), 0);
        int[] sent = new int[4];
        // RFC 4733 end packet sent three times with the same sequence number, then audio resumes
        for (int i = 0; i < 3; i++) {
            byte[] end = pbx(7991, 10_560, 0xAAAA, 101);
            out.rewritePbxPacket(end, end.length, 126, 8000, 20 + i);
            sent[i] = Rtp.sequence(end);
        }
        byte[] resumed = forward(out, pbx(7992, 11_520, 0xAAAA, 96), 100);
        sent[3] = Rtp.sequence(resumed);
        assertArrayEquals(new int[] {101, 102, 103, 104}, sent, "every packet toward Meta has its own number");
        assertEquals(105, Rtp.sequence(forward(out, pbx(7993, 12_480, 0xAAAA, 96), 120)), "numbering goes on");
    }

    @Test
    void silenceFramesPerCodec() {
        assertArrayEquals(OPUS_SILENCE, SilenceFrames.payload(new Codec(111, "opus", 48000, 2, null)));
        byte[] pcmu = SilenceFrames.payload(new Codec(0, "PCMU", 8000, 1, null));
        byte[] pcma = SilenceFrames.payload(new Codec(8, "PCMA", 8000, 1, null));
        assertEquals(160, pcmu.length);
        assertEquals(160, pcma.length);
        for (int i = 0; i < 160; i++) {
            assertEquals((byte) 0xFF, pcmu[i]);
            assertEquals((byte) 0xD5, pcma[i]);
        }
        assertEquals(960, SilenceFrames.samplesPer20ms(new Codec(111, "opus", 48000, 2, null)));
    }
}
