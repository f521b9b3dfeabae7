package org.wabridge.media.transcode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtp;

/**
 * Real audio through both directions of a transcoded call, without sockets. Meta's side is played by a separate
 * Opus encoder/decoder at 48 kHz stereo (what opus/48000/2 means); the PBX's side by G.711 codes. What comes out is
 * judged by its content: the tone's frequency (Goertzel), its level, its delay, and continuity under loss.
 */
class CallTranscoderTest {

    private static final int PCMU_PT = 0;
    private static final int PBX_EVENT_PT = 101;
    private static final int OPUS_PT = 111;
    private static final int META_EVENT_PT = 126;
    private static final double[] PROBES = {300, 700, 1000, 1400, 2000, 3000};

    private static CallTranscoder transcoder(G711Law law) {
        return new CallTranscoder(new CallTranscoder.Plan(law, law == G711Law.PCMU ? 0 : 8, PBX_EVENT_PT, OPUS_PT,
                META_EVENT_PT), 5, 0x1234_5678_9ABC_DEF0L);
    }

    // ------------------------------------------------------------------ PBX -> Meta

    @Test
    void aPbxToneReachesMetaAsOpusWithItsFrequencyLevelAndTiming() throws Exception {
        for (G711Law law : G711Law.values()) {
            CallTranscoder t = transcoder(law);
            int pt = law == G711Law.PCMU ? 0 : 8;
            short[] tone = Audio.tone(1000, 8000, 0.3, 0, 8000); // 1 s at -13.5 dBFS
            List<byte[]> toMeta = new ArrayList<>();
            for (int f = 0; f < 50; f++) {
                byte[] payload = law.encode(tone, f * 160, 160);
                byte[] rtp = Rtp.build(pt, f == 0, 4000 + f, 80_000L + 160L * f, 0xAAAA, payload);
                toMeta.addAll(t.pbxToMeta(rtp, rtp.length));
            }
            assertEquals(50, toMeta.size(), law + ": one Opus packet per 20 ms");
            short[] heard = decodeAtMeta(toMeta, null);
            for (int i = 1; i < toMeta.size(); i++) {
                byte[] p = toMeta.get(i);
                assertEquals(OPUS_PT, Rtp.payloadType(p));
                assertEquals(960, (Rtp.timestamp(p) - Rtp.timestamp(toMeta.get(i - 1))) & 0xFFFF_FFFFL,
                        "48 kHz clock, 20 ms apart");
                assertEquals((Rtp.sequence(toMeta.get(i - 1)) + 1) & 0xFFFF, Rtp.sequence(p));
            }
            int settled = 48000 / 5; // judge after 200 ms, when the encoder has settled
            int len = 48000 / 2;
            assertEquals(1000, Audio.dominant(heard, settled, len, 48000, PROBES), law + ": the tone's frequency");
            double level = Audio.levelDb(heard, settled, len);
            assertEquals(Audio.levelDb(tone, 1600, 4000), level, 2.0, law + ": the tone's level at Meta");
        }
    }

    @Test
    void gatheringMakesTwentyMillisecondFramesFromOtherPtimes() {
        CallTranscoder t = transcoder(G711Law.PCMU);
        short[] tone = Audio.tone(1000, 8000, 0.3, 0, 8000);
        List<byte[]> out = new ArrayList<>();
        for (int f = 0; f < 30; f++) { // 30 packets of 10 ms
            byte[] rtp = Rtp.build(PCMU_PT, false, f, 80L * f, 0xAAAA, G711Law.PCMU.encode(tone, f * 80, 80));
            out.addAll(t.pbxToMeta(rtp, rtp.length));
        }
        assertEquals(15, out.size(), "300 ms of 10 ms packets is fifteen 20 ms frames");
        for (int f = 0; f < 10; f++) { // 10 packets of 30 ms, continuing
            long ts = 2400 + 240L * f;
            byte[] rtp = Rtp.build(PCMU_PT, false, 30 + f, ts, 0xAAAA,
                    G711Law.PCMU.encode(Audio.tone(1000, 8000, 0.3, (int) ts, 240), 0, 240));
            out.addAll(t.pbxToMeta(rtp, rtp.length));
        }
        assertEquals(30, out.size(), "and 300 ms of 30 ms packets fifteen more");
        for (int i = 1; i < out.size(); i++) {
            assertEquals(960, (Rtp.timestamp(out.get(i)) - Rtp.timestamp(out.get(i - 1))) & 0xFFFF_FFFFL);
        }
    }

    // ------------------------------------------------------------------ Meta -> PBX

    @Test
    void aMetaToneReachesThePbxAsG711WithItsFrequencyLevelAndTiming() throws Exception {
        CallTranscoder t = transcoder(G711Law.PCMA);
        List<byte[]> fromMeta = metaTone(700, 0.25, 50, 0);
        List<byte[]> toPbx = new ArrayList<>();
        for (byte[] p : fromMeta) {
            toPbx.addAll(t.metaToPbx(p, p.length));
        }
        assertEquals(50, toPbx.size());
        short[] heard = decodeAtPbx(toPbx, G711Law.PCMA);
        for (int i = 1; i < toPbx.size(); i++) {
            assertEquals(8, Rtp.payloadType(toPbx.get(i)));
            assertEquals(160, (Rtp.timestamp(toPbx.get(i)) - Rtp.timestamp(toPbx.get(i - 1))) & 0xFFFF_FFFFL,
                    "8 kHz clock, 20 ms apart");
        }
        assertEquals(700, Audio.dominant(heard, 1600, 4000, 8000, PROBES));
        assertEquals(20 * Math.log10(0.25) - 3, Audio.levelDb(heard, 1600, 4000), 2.0, "level at the PBX");
    }

    @Test
    void fivePercentLossOnMetasSideStillGivesContinuousAudio() throws Exception {
        CallTranscoder t = transcoder(G711Law.PCMU);
        List<byte[]> fromMeta = metaTone(1000, 0.3, 250, 0); // 5 s
        Random random = new Random(7);
        List<byte[]> toPbx = new ArrayList<>();
        int lost = 0;
        for (int i = 0; i < fromMeta.size(); i++) {
            boolean drop = i > 0 && i < fromMeta.size() - 1 && random.nextInt(100) < 5;
            if (drop) {
                lost++;
                continue;
            }
            toPbx.addAll(t.metaToPbx(fromMeta.get(i), fromMeta.get(i).length));
        }
        assertTrue(lost >= 8, "the loss pattern lost " + lost + " of 250");
        assertEquals(250, toPbx.size(), "every lost frame was filled");
        assertEquals(lost, t.concealedFrames());
        assertTrue(t.fecFrames() > 0, "in-band FEC recovered frames");
        for (int i = 1; i < toPbx.size(); i++) {
            assertEquals(160, (Rtp.timestamp(toPbx.get(i)) - Rtp.timestamp(toPbx.get(i - 1))) & 0xFFFF_FFFFL,
                    "no hole in the PBX's timeline at frame " + i);
            assertEquals((Rtp.sequence(toPbx.get(i - 1)) + 1) & 0xFFFF, Rtp.sequence(toPbx.get(i)));
        }
        short[] heard = decodeAtPbx(toPbx, G711Law.PCMU);
        // every 20 ms after the start has the tone; a concealed frame may be quieter (PLC fades), never a hole
        for (int f = 10; f < 250; f++) {
            assertTrue(Audio.levelDb(heard, f * 160, 160) > -40, "frame " + f + " is silent: "
                    + Audio.levelDb(heard, f * 160, 160) + " dBFS");
            assertEquals(1000, Audio.dominant(heard, f * 160, 160, 8000, 700, 1000, 1400));
        }
        assertEquals(Audio.levelDb(Audio.tone(1000, 8000, 0.3, 0, 8000), 0, 8000),
                Audio.levelDb(heard, 1600, heard.length - 1600), 2.0, "the level over the whole 5 s");
    }

    @Test
    void aLateOrRepeatedMetaPacketIsDropped() throws Exception {
        CallTranscoder t = transcoder(G711Law.PCMU);
        List<byte[]> fromMeta = metaTone(1000, 0.3, 3, 0);
        assertEquals(1, t.metaToPbx(fromMeta.get(0), fromMeta.get(0).length).size());
        assertEquals(1, t.metaToPbx(fromMeta.get(1), fromMeta.get(1).length).size());
        assertEquals(0, t.metaToPbx(fromMeta.get(1), fromMeta.get(1).length).size());
        assertEquals(0, t.metaToPbx(fromMeta.get(0), fromMeta.get(0).length).size());
        assertEquals(1, t.metaToPbx(fromMeta.get(2), fromMeta.get(2).length).size());
    }

    @Test
    void harshOrDamagedInputNeverEscapesTheTranscoder() {
        CallTranscoder t = transcoder(G711Law.PCMU);
        Random random = new Random(3);
        int out = 0;
        for (int f = 0; f < 500; f++) { // 10 s: full-scale square waves, clipped noise, then silence
            byte[] payload = new byte[160];
            for (int i = 0; i < 160; i++) {
                short v = f < 200 ? (short) (((f * 160 + i) % 40 < 20) ? 32767 : -32768)
                        : f < 400 ? (short) random.nextInt(65536) : 0;
                payload[i] = G711Law.PCMU.encode(v);
            }
            byte[] rtp = Rtp.build(PCMU_PT, false, f, 160L * f, 0xAAAA, payload);
            out += t.pbxToMeta(rtp, rtp.length).size();
        }
        assertEquals(500, out + t.codecFailures(), "each frame is an Opus packet, or counted as lost");
        assertTrue(t.codecFailures() < 10, "failures: " + t.codecFailures());

        byte[] junk = new byte[60];
        int toPbx = 0;
        for (int f = 0; f < 50; f++) { // Opus packets of random bytes
            random.nextBytes(junk);
            byte[] rtp = Rtp.build(OPUS_PT, false, f, 960L * f, 0xBBBB, junk);
            toPbx += t.metaToPbx(rtp, rtp.length).size();
        }
        assertTrue(toPbx + t.codecFailures() >= 50, "junk from Meta is decoded or counted, never thrown");
    }

    // ------------------------------------------------------------------ delay

    @Test
    void theRoundTripThroughBothCodecsAddsLittleDelay() throws Exception {
        // PBX -> Meta: a tone burst after 100 ms of silence; its onset at Meta against its onset at the PBX
        CallTranscoder t = transcoder(G711Law.PCMU);
        short[] pbxAudio = new short[8000];
        System.arraycopy(Audio.tone(1000, 8000, 0.5, 0, 4000), 0, pbxAudio, 800, 4000);
        List<byte[]> toMeta = new ArrayList<>();
        for (int f = 0; f < 50; f++) {
            byte[] rtp = Rtp.build(PCMU_PT, false, f, 160L * f, 0xAAAA, G711Law.PCMU.encode(pbxAudio, f * 160, 160));
            toMeta.addAll(t.pbxToMeta(rtp, rtp.length));
        }
        short[] atMeta = decodeAtMeta(toMeta, null);
        double delayMs = Audio.onset(atMeta, 48000, -20) / 48.0 - 100;
        assertTrue(delayMs >= 0 && delayMs < 25, "PBX->Meta codec delay " + delayMs + " ms");
    }

    // ------------------------------------------------------------------ DTMF

    @Test
    void dtmfKeepsItsEventAndMovesItsTimestampToTheOtherClock() throws Exception {
        CallTranscoder t = transcoder(G711Law.PCMU);
        short[] silence = new short[160];
        byte[] audio = Rtp.build(PCMU_PT, false, 10, 16_000, 0xAAAA, G711Law.PCMU.encode(silence, 0, 160));
        long audioTsAtMeta = Rtp.timestamp(t.pbxToMeta(audio, audio.length).get(0));
        // digit 5, 3 packets of one event starting at 16160 (RFC 4733: same timestamp, growing duration), then end
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] payload = {5, (byte) (i == 3 ? 0x8A : 0x0A), 0, (byte) (160 * (i + 1))};
            byte[] rtp = Rtp.build(PBX_EVENT_PT, i == 0, 11 + i, 16_160, 0xAAAA, payload);
            List<byte[]> out = t.pbxToMeta(rtp, rtp.length);
            assertEquals(1, out.size());
            events.add(out.get(0));
            assertArrayEquals(payload, payloadOf(out.get(0)), "the event is passed on as it is");
        }
        for (byte[] e : events) {
            assertEquals(META_EVENT_PT, Rtp.payloadType(e));
            assertEquals((audioTsAtMeta + 960) & 0xFFFF_FFFFL, Rtp.timestamp(e), "160 at 8 kHz is 960 at 48 kHz");
        }
        assertTrue(Rtp.marker(events.get(0)));

        // Meta -> PBX: an event 40 ms after an Opus frame lands 320 ticks after it at 8 kHz
        List<byte[]> meta = metaTone(1000, 0.1, 1, 0);
        long pbxAudioTs = Rtp.timestamp(t.metaToPbx(meta.get(0), meta.get(0).length).get(0));
        byte[] payload = {11, 0x0A, 0, (byte) 160}; // '#'
        byte[] event = Rtp.build(META_EVENT_PT, true, Rtp.sequence(meta.get(0)) + 1,
                Rtp.timestamp(meta.get(0)) + 1920, 0xBBBB, payload);
        List<byte[]> out = t.metaToPbx(event, event.length);
        assertEquals(1, out.size());
        assertEquals(PBX_EVENT_PT, Rtp.payloadType(out.get(0)));
        assertEquals((pbxAudioTs + 320) & 0xFFFF_FFFFL, Rtp.timestamp(out.get(0)));
        assertArrayEquals(payload, payloadOf(out.get(0)));
    }

    // ------------------------------------------------------------------ Meta's side

    /** Opus RTP as Meta sends it: 20 ms frames of a tone encoded at 48 kHz stereo with in-band FEC. */
    static List<byte[]> metaTone(double hz, double amplitude, int frames, int firstSeq) throws Exception {
        OpusEncoder encoder = new OpusEncoder(48000, 2, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.setBitrate(20000);
        encoder.setUseInbandFEC(true);
        encoder.setPacketLossPercent(10);
        List<byte[]> packets = new ArrayList<>();
        byte[] out = new byte[1275];
        for (int f = 0; f < frames; f++) {
            short[] mono = Audio.tone(hz, 48000, amplitude, f * 960, 960);
            short[] stereo = new short[1920];
            for (int i = 0; i < 960; i++) {
                stereo[2 * i] = mono[i];
                stereo[2 * i + 1] = mono[i];
            }
            int n = encoder.encode(stereo, 0, 960, out, 0, out.length);
            byte[] payload = java.util.Arrays.copyOf(out, n);
            packets.add(Rtp.build(OPUS_PT, f == 0, (firstSeq + f) & 0xFFFF, 1_000_000L + 960L * f, 0xBBBB, payload));
        }
        return packets;
    }

    /** What Meta's side hears: its own decoder at 48 kHz, mono mix. */
    static short[] decodeAtMeta(List<byte[]> packets, int[] unused) throws Exception {
        OpusDecoder decoder = new OpusDecoder(48000, 1);
        short[] all = new short[packets.size() * 960];
        int at = 0;
        for (byte[] p : packets) {
            int len = CallTranscoder.length(p);
            int n = decoder.decode(p, Rtp.HEADER_LENGTH, len - Rtp.HEADER_LENGTH, all, at, 960, false);
            at += n;
        }
        return java.util.Arrays.copyOf(all, at);
    }

    static short[] decodeAtPbx(List<byte[]> packets, G711Law law) {
        short[] all = new short[packets.size() * 160];
        int at = 0;
        for (byte[] p : packets) {
            int len = CallTranscoder.length(p) - Rtp.HEADER_LENGTH;
            law.decode(p, Rtp.HEADER_LENGTH, len, all, at);
            at += len;
        }
        return java.util.Arrays.copyOf(all, at);
    }

    private static byte[] payloadOf(byte[] p) {
        return java.util.Arrays.copyOfRange(p, Rtp.HEADER_LENGTH, CallTranscoder.length(p));
    }
}
