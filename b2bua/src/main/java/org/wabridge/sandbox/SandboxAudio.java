package org.wabridge.sandbox;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sandbox's "WhatsApp user" says: a 440 Hz tone at -12 dBFS, one second of 20 ms Opus frames (48 kHz,
 * mono, Concentus) played in a loop, so an admin hears on the PBX that audio from WhatsApp arrives. 440 whole
 * periods fit in the second, so the loop has no click. Encoded once per JVM.
 */
final class SandboxAudio {

    static final int TONE_HZ = 440;
    private static final int RATE = 48_000;
    private static final int FRAME = RATE / 50;
    private static final List<byte[]> FRAMES = encode();

    private SandboxAudio() {}

    /** The {@code n}th frame of the loop. */
    static byte[] frame(long n) {
        return FRAMES.get((int) (n % FRAMES.size()));
    }

    static int frames() {
        return FRAMES.size();
    }

    private static List<byte[]> encode() {
        List<byte[]> out = new ArrayList<>();
        try {
            OpusEncoder encoder = new OpusEncoder(RATE, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
            encoder.setBitrate(24_000);
            short[] pcm = new short[FRAME];
            byte[] packet = new byte[400];
            double amplitude = 0.25 * Short.MAX_VALUE;
            for (int f = 0; f < 50; f++) {
                for (int i = 0; i < FRAME; i++) {
                    long sample = (long) f * FRAME + i;
                    pcm[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * TONE_HZ * sample / RATE));
                }
                int n = encoder.encode(pcm, 0, FRAME, packet, 0, packet.length);
                out.add(java.util.Arrays.copyOf(packet, n));
            }
            return List.copyOf(out);
        } catch (Exception | AssertionError e) {
            // Concentus keeps libopus's checks on: should one fire, the user is silent rather than the sandbox down
            return List.of(EdgeMedia.OPUS_FRAME);
        }
    }
}
