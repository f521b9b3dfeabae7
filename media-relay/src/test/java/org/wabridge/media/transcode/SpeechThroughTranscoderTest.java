package org.wabridge.media.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtp;

/**
 * A spoken sentence (espeak-ng, resampled by sox) through both directions of a transcoded call: what comes out must
 * follow the sentence's loudness contour frame by frame (syllables and pauses where they were) at the same level.
 */
class SpeechThroughTranscoderTest {

    private static CallTranscoder transcoder() {
        return new CallTranscoder(new CallTranscoder.Plan(G711Law.PCMA, 8, 101, 111, 126),
                CallTranscoder.DEFAULT_COMPLEXITY, 99);
    }

    @Test
    void aSentenceFromThePbxIsHeardAtMeta() throws Exception {
        short[] speech = Speech.sample(8000);
        assertTrue(speech.length > 8000 * 3, "espeak-ng made " + speech.length / 8 + " ms of speech");
        CallTranscoder t = transcoder();
        OpusDecoder meta = new OpusDecoder(48000, 1);
        short[] heard = new short[speech.length * 6 + 960];
        int at = 0;
        for (int f = 0; (f + 1) * 160 <= speech.length; f++) {
            byte[] rtp = Rtp.build(8, false, f, 160L * f, 1, G711Law.PCMA.encode(speech, f * 160, 160));
            for (byte[] opus : t.pbxToMeta(rtp, rtp.length)) {
                at += meta.decode(opus, Rtp.HEADER_LENGTH, CallTranscoder.length(opus) - Rtp.HEADER_LENGTH, heard, at,
                        960, false);
            }
        }
        heard = Arrays.copyOf(heard, at);
        double r = Speech.bestCorrelation(Speech.envelope(speech, 8000, 10), Speech.envelope(heard, 48000, 10), 2);
        assertTrue(r > 0.9, "loudness contour at Meta follows the sentence: r = " + r);
        assertEquals(Audio.levelDb(speech, 0, speech.length), Audio.levelDb(heard, 0, heard.length), 2.0,
                "speech level at Meta");
    }

    @Test
    void aSentenceFromMetaIsHeardAtThePbx() throws Exception {
        short[] speech48 = Speech.sample(48000);
        short[] speech8 = Speech.sample(8000); // the same sentence as the PBX's band would carry it, by sox
        OpusEncoder encoder = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        encoder.setBitrate(20000);
        List<byte[]> fromMeta = new ArrayList<>();
        byte[] buf = new byte[1275];
        for (int f = 0; (f + 1) * 960 <= speech48.length; f++) {
            int n = encoder.encode(speech48, f * 960, 960, buf, 0, buf.length);
            fromMeta.add(Rtp.build(111, false, f, 960L * f, 2, Arrays.copyOf(buf, n)));
        }
        CallTranscoder t = transcoder();
        short[] heard = new short[fromMeta.size() * 160];
        int at = 0;
        for (byte[] p : fromMeta) {
            for (byte[] g711 : t.metaToPbx(p, p.length)) {
                int len = CallTranscoder.length(g711) - Rtp.HEADER_LENGTH;
                G711Law.PCMA.decode(g711, Rtp.HEADER_LENGTH, len, heard, at);
                at += len;
            }
        }
        heard = Arrays.copyOf(heard, at);
        double r = Speech.bestCorrelation(Speech.envelope(speech8, 8000, 10), Speech.envelope(heard, 8000, 10), 2);
        assertTrue(r > 0.9, "loudness contour at the PBX follows the sentence: r = " + r);
        assertEquals(Audio.levelDb(speech8, 0, speech8.length), Audio.levelDb(heard, 0, heard.length), 2.0,
                "speech level at the PBX");
    }
}
