package org.wabridge.media.transcode;

/**
 * 48 kHz to 8 kHz for one stream: a low-pass FIR (windowed sinc, Blackman window, 145 taps, -6 dB at 3.5 kHz,
 * about -74 dB from 4.4 kHz) evaluated only at every sixth input sample. The filter keeps its history across calls,
 * so 20 ms frames join without a seam; its delay is 72 input samples (1.5 ms).
 */
final class Decimator {

    static final int FACTOR = 6;
    private static final int TAPS = 145;
    private static final double CUTOFF_HZ = 3500;
    private static final double[] H = design();

    /** The last TAPS-1 input samples, then room for one frame (up to 120 ms). */
    private final double[] history = new double[TAPS - 1 + 5760];

    private static double[] design() {
        double[] h = new double[TAPS];
        double fc = CUTOFF_HZ / 48000;
        int mid = (TAPS - 1) / 2;
        double sum = 0;
        for (int i = 0; i < TAPS; i++) {
            int n = i - mid;
            double sinc = n == 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
            double window = 0.42 - 0.5 * Math.cos(2 * Math.PI * i / (TAPS - 1))
                    + 0.08 * Math.cos(4 * Math.PI * i / (TAPS - 1));
            h[i] = sinc * window;
            sum += h[i];
        }
        for (int i = 0; i < TAPS; i++) {
            h[i] /= sum; // unity gain at 0 Hz
        }
        return h;
    }

    /**
     * Filters {@code count} 48 kHz samples (a multiple of 6) into {@code count / 6} 8 kHz samples in {@code out}.
     *
     * @return the number of 8 kHz samples written
     */
    int process(short[] in, int count, short[] out) {
        int keep = TAPS - 1;
        for (int i = 0; i < count; i++) {
            history[keep + i] = in[i];
        }
        int produced = count / FACTOR;
        for (int o = 0; o < produced; o++) {
            int newest = keep + o * FACTOR + FACTOR - 1;
            double acc = 0;
            for (int k = 0; k < TAPS; k++) {
                acc += H[k] * history[newest - k];
            }
            long v = Math.round(acc);
            out[o] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
        }
        System.arraycopy(history, count, history, 0, keep);
        return produced;
    }
}
