package org.wabridge.media.transcode;

/** Test audio: tones, and measures of what came out (Goertzel power, level, onset), independent of any codec. */
public final class Audio {

    private Audio() {
    }

    /** A sine at {@code amplitude} (of 32767) for {@code samples} samples, phase-continuous from {@code start}. */
    public static short[] tone(double hz, int rate, double amplitude, int start, int samples) {
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * (start + i) / rate));
        }
        return pcm;
    }

    /** Power at {@code hz} (Goertzel), normalised so a full-scale sine at that frequency gives about 1. */
    public static double goertzel(short[] pcm, int off, int len, double hz, int rate) {
        double coeff = 2 * Math.cos(2 * Math.PI * hz / rate);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < len; i++) {
            double s = pcm[off + i] / 32768.0 + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        return power / ((double) len * len / 4.0);
    }

    /** Level in dBFS (RMS of a full-scale sine = -3 dBFS). */
    public static double levelDb(short[] pcm, int off, int len) {
        double sum = 0;
        for (int i = 0; i < len; i++) {
            double v = pcm[off + i] / 32768.0;
            sum += v * v;
        }
        return 10 * Math.log10(Math.max(1e-12, sum / len));
    }

    /** The frequency among {@code candidates} with the most power. */
    public static double dominant(short[] pcm, int off, int len, int rate, double... candidates) {
        double best = candidates[0];
        double bestPower = -1;
        for (double hz : candidates) {
            double p = goertzel(pcm, off, len, hz, rate);
            if (p > bestPower) {
                bestPower = p;
                best = hz;
            }
        }
        return best;
    }

    /** The first sample whose 5 ms window is louder than {@code thresholdDb}, or -1. */
    public static int onset(short[] pcm, int rate, double thresholdDb) {
        int window = rate / 200;
        for (int i = 0; i + window <= pcm.length; i++) {
            if (levelDb(pcm, i, window) > thresholdDb) {
                return i;
            }
        }
        return -1;
    }
}
