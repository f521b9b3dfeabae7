package org.wabridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jaredmdobson.concentus.OpusDecoder;
import org.junit.jupiter.api.Test;

/** The sandbox user's audio decodes to its tone: judged by a Goertzel filter at 440 Hz against 1 kHz and level. */
class SandboxAudioTest {

    @Test
    void theLoopDecodesToA440HzToneAtAboutMinus12Dbfs() throws Exception {
        assertEquals(50, SandboxAudio.frames(), "one second of 20 ms frames, not the silence fallback");
        OpusDecoder decoder = new OpusDecoder(48_000, 1);
        short[] pcm = new short[960];
        double at440 = 0;
        double at1000 = 0;
        double energy = 0;
        int samples = 0;
        for (int f = 0; f < 100; f++) { // two loops: the second is past the decoder's start-up
            byte[] packet = SandboxAudio.frame(f);
            int n = decoder.decode(packet, 0, packet.length, pcm, 0, 960, false);
            if (f < 50) {
                continue;
            }
            at440 += goertzel(pcm, n, 440);
            at1000 += goertzel(pcm, n, 1000);
            for (int i = 0; i < n; i++) {
                energy += (double) pcm[i] * pcm[i];
            }
            samples += n;
        }
        assertTrue(at440 > 100 * at1000, "440 Hz dominates: " + at440 + " vs " + at1000);
        double dbfs = 10 * Math.log10(energy / samples / ((double) Short.MAX_VALUE * Short.MAX_VALUE));
        assertTrue(dbfs > -18 && dbfs < -12, "level of a 0.25 sine is -15 dBFS RMS, got " + dbfs);
    }

    private static double goertzel(short[] pcm, int n, double hz) {
        double k = 2 * Math.cos(2 * Math.PI * hz / 48_000);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double s0 = pcm[i] + k * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return s1 * s1 + s2 * s2 - k * s1 * s2;
    }
}
