package org.wabridge.media.transcode;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real speech sample for the audio tests: espeak-ng says a sentence, sox turns it into 16-bit mono PCM at the
 * rate asked (its own resampler, not ours). Both are Debian packages (scripts/debian-packages.txt).
 */
final class Speech {

    static final String SENTENCE = "Thank you for calling. Please hold the line while we connect you to an agent.";

    private Speech() {
    }

    /** The sentence as 16-bit samples at {@code rate}. */
    static short[] sample(int rate) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("speech");
        try {
            Path wav = dir.resolve("speech.wav");
            Path raw = dir.resolve("speech.raw");
            run(List.of(tool("espeak-ng"), "-v", "en", "-s", "150", "-w", wav.toString(), SENTENCE));
            run(List.of(tool("sox"), wav.toString(), "-r", String.valueOf(rate), "-c", "1", "-b", "16",
                    "-e", "signed-integer", "-t", "raw", "--endian", "little", raw.toString()));
            byte[] bytes = Files.readAllBytes(raw);
            short[] pcm = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(pcm);
            return pcm;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        throw new IllegalStateException(name + " is not installed; the speech tests need espeak-ng and sox:"
                + " apt-get install espeak-ng sox (scripts/debian-packages.txt)");
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " failed: " + output);
        }
    }

    /** Level in dB of each {@code frameMillis} frame. */
    static double[] envelope(short[] pcm, int rate, int frameMillis) {
        int frame = rate * frameMillis / 1000;
        double[] env = new double[pcm.length / frame];
        for (int i = 0; i < env.length; i++) {
            env[i] = Audio.levelDb(pcm, i * frame, frame);
        }
        return env;
    }

    /**
     * Pearson correlation of two envelopes over the frames where the reference speaks (louder than -45 dBFS), with
     * {@code heard} shifted by the lag (0..maxLag frames) that fits best.
     */
    static double bestCorrelation(double[] reference, double[] heard, int maxLag) {
        double best = -1;
        for (int lag = 0; lag <= maxLag; lag++) {
            int n = 0;
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double syy = 0;
            double sxy = 0;
            for (int i = 0; i < reference.length && i + lag < heard.length; i++) {
                if (reference[i] < -45) {
                    continue;
                }
                double x = reference[i];
                double y = Math.max(heard[i + lag], -90);
                n++;
                sx += x;
                sy += y;
                sxx += x * x;
                syy += y * y;
                sxy += x * y;
            }
            double cov = sxy - sx * sy / n;
            double r = cov / Math.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
            best = Math.max(best, r);
        }
        return best;
    }
}
