package org.wabridge.media.bench;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.transcode.CallTranscoder;
import org.wabridge.media.transcode.G711Law;

/**
 * Benchmark (not part of the bridge): the CPU cost of one transcoded call and the delay transcoding adds, without
 * sockets. One call is 50 G.711 packets/s from the PBX (encoded to Opus) and 50 Opus packets/s from Meta (decoded
 * to G.711); the bench runs {@code seconds} of call time per Opus complexity on one thread and reports CPU per
 * second of call, hence transcoded calls per core (at 100 % of it: leave room for the relay and the JVM).
 *
 * <p>Delay: a tone burst after silence goes through each direction; its onset at the far decoder against its onset
 * at the source gives the codec delay of that direction (Opus look-ahead, our 8 kHz filter, Opus's decoder); the
 * Meta-to-PBX figure is compared with a PBX that would decode the same Opus itself at 48 kHz (what pass-through
 * gives), so it is what transcoding adds. Frame gathering adds nothing at ptime 20.
 *
 * <p>Arguments: {@code [seconds] [complexity,...]} (default 60 s of call time, complexities 1,5,9).
 */
public final class TranscodeBench {

    private TranscodeBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int[] complexities = Arrays.stream((args.length > 1 ? args[1] : "1,5,9").split(","))
                .mapToInt(Integer::parseInt).toArray();
        List<byte[]> pbx = pbxPackets(50 * 10);
        List<byte[]> meta = metaPackets(50 * 10);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%d cores; %d s of call time per complexity%n",
                Runtime.getRuntime().availableProcessors(), seconds);
        System.out.println("complexity | CPU ms per call-second | to Meta (encode) | to PBX (decode) | calls per core");
        for (int complexity : complexities) {
            run(complexity, Math.max(20, seconds / 2), pbx, meta); // JIT warm-up
            long t0 = threads.getCurrentThreadCpuTime();
            long[] split = run(complexity, seconds, pbx, meta);
            long cpu = threads.getCurrentThreadCpuTime() - t0;
            double perSecond = cpu / 1e6 / seconds;
            System.out.printf(Locale.ROOT, "%10d | %22.2f | %13.2f ms | %13.2f ms | %14.0f%n", complexity, perSecond,
                    split[0] / 1e6 / seconds, split[1] / 1e6 / seconds, 1000 / perSecond);
        }
        delays();
    }

    /** {@code seconds} of one call on this thread; returns wall nanos spent {to Meta, to PBX}. */
    private static long[] run(int complexity, int seconds, List<byte[]> pbx, List<byte[]> meta) {
        CallTranscoder t = new CallTranscoder(new CallTranscoder.Plan(G711Law.PCMU, 0, 101, 111, 126), complexity, 42);
        long toMeta = 0;
        long toPbx = 0;
        int frames = seconds * 50;
        int n = 0;
        for (int f = 0; f < frames; f++) {
            byte[] p = pbx.get(f % pbx.size()).clone();
            Rtp.setSequence(p, f);
            Rtp.setTimestamp(p, 160L * f);
            byte[] m = meta.get(f % meta.size()).clone();
            Rtp.setSequence(m, f);
            Rtp.setTimestamp(m, 960L * f);
            long a = System.nanoTime();
            n += t.pbxToMeta(p, p.length).size();
            long b = System.nanoTime();
            n += t.metaToPbx(m, m.length).size();
            toMeta += b - a;
            toPbx += System.nanoTime() - b;
        }
        if (n != 2 * frames || t.codecFailures() > 0) {
            throw new IllegalStateException("expected " + 2 * frames + " frames out, got " + n + ", codec failures "
                    + t.codecFailures());
        }
        return new long[] {toMeta, toPbx};
    }

    private static void delays() throws Exception {
        // PBX -> Meta: 200 ms of silence, then a 1 kHz tone, through our encoder and a 48 kHz Opus decoder
        CallTranscoder t = new CallTranscoder(new CallTranscoder.Plan(G711Law.PCMU, 0, 101, 111, 126),
                CallTranscoder.DEFAULT_COMPLEXITY, 7);
        short[] src = new short[8000];
        for (int i = 1600; i < src.length; i++) {
            src[i] = (short) (10000 * Math.sin(2 * Math.PI * 1000 * i / 8000.0));
        }
        OpusDecoder metaDecoder = new OpusDecoder(48000, 1);
        short[] atMeta = new short[48000];
        int at = 0;
        for (int f = 0; f < 50; f++) {
            byte[] p = Rtp.build(0, false, f, 160L * f, 1, G711Law.PCMU.encode(src, f * 160, 160));
            for (byte[] o : t.pbxToMeta(p, p.length)) {
                at += metaDecoder.decode(o, Rtp.HEADER_LENGTH, CallTranscoder.length(o) - Rtp.HEADER_LENGTH, atMeta,
                        at, 960, false);
            }
        }
        double toMetaMs = onset(atMeta, 48000) / 48.0 - 200;

        // Meta -> PBX: the same burst encoded by Meta's side at 48 kHz; our 8 kHz output against a 48 kHz decode
        List<byte[]> opus = new ArrayList<>();
        OpusEncoder enc = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        enc.setBitrate(20000);
        byte[] buf = new byte[1275];
        for (int f = 0; f < 50; f++) {
            short[] frame = new short[960];
            for (int i = 0; i < 960; i++) {
                int n = f * 960 + i;
                frame[i] = n < 9600 ? 0 : (short) (10000 * Math.sin(2 * Math.PI * 1000 * n / 48000.0));
            }
            int len = enc.encode(frame, 0, 960, buf, 0, buf.length);
            opus.add(Rtp.build(111, false, f, 960L * f, 2, Arrays.copyOf(buf, len)));
        }
        OpusDecoder direct = new OpusDecoder(48000, 1);
        short[] passthrough = new short[48000];
        short[] atPbx = new short[8000];
        int d = 0;
        int g = 0;
        for (byte[] p : opus) {
            d += direct.decode(p, Rtp.HEADER_LENGTH, p.length - Rtp.HEADER_LENGTH, passthrough, d, 960, false);
            for (byte[] o : t.metaToPbx(p, p.length)) {
                int len = CallTranscoder.length(o) - Rtp.HEADER_LENGTH;
                G711Law.PCMU.decode(o, Rtp.HEADER_LENGTH, len, atPbx, g);
                g += len;
            }
        }
        double addedToPbxMs = onset(atPbx, 8000) / 8.0 - onset(passthrough, 48000) / 48.0;
        System.out.printf(Locale.ROOT, "delay PBX->Meta (our Opus encoder + a 48 kHz Opus decoder): %.1f ms%n", toMetaMs);
        System.out.printf(Locale.ROOT, "delay Meta->PBX added by transcoding (8 kHz filter and G.711, against a"
                + " 48 kHz decode of the same Opus): %.1f ms%n", addedToPbxMs);
        System.out.println("frame gathering at ptime 20: 0 ms (one Opus frame per G.711 packet, sent as it arrives)");
    }

    /** First sample whose 2.5 ms window exceeds a quarter of the tone's amplitude (RMS). */
    private static int onset(short[] pcm, int rate) {
        int window = rate / 400;
        for (int i = 0; i + window <= pcm.length; i++) {
            double sum = 0;
            for (int k = 0; k < window; k++) {
                sum += (double) pcm[i + k] * pcm[i + k];
            }
            if (Math.sqrt(sum / window) > 10000 / Math.sqrt(2) / 4) {
                return i;
            }
        }
        return -1;
    }

    private static List<byte[]> pbxPackets(int count) {
        List<byte[]> packets = new ArrayList<>();
        double phase = 0;
        for (int f = 0; f < count; f++) {
            short[] pcm = new short[160];
            for (int i = 0; i < 160; i++) {
                int n = f * 160 + i; // a warble (300..700 Hz, 2 Hz), so the encoder works as it would on a voice
                phase += 2 * Math.PI * (500 + 200 * Math.sin(2 * Math.PI * 2 * n / 8000.0)) / 8000.0;
                pcm[i] = (short) (8000 * Math.sin(phase));
            }
            packets.add(Rtp.build(0, false, f, 160L * f, 1, G711Law.PCMU.encode(pcm, 0, 160)));
        }
        return packets;
    }

    private static List<byte[]> metaPackets(int count) throws Exception {
        OpusEncoder enc = new OpusEncoder(48000, 2, OpusApplication.OPUS_APPLICATION_VOIP);
        enc.setBitrate(20000);
        enc.setUseInbandFEC(true);
        enc.setPacketLossPercent(5);
        List<byte[]> packets = new ArrayList<>();
        byte[] buf = new byte[1275];
        double phase = 0;
        for (int f = 0; f < count; f++) {
            short[] stereo = new short[1920];
            for (int i = 0; i < 960; i++) {
                int n = f * 960 + i;
                phase += 2 * Math.PI * (500 + 200 * Math.sin(2 * Math.PI * 2 * n / 48000.0)) / 48000.0;
                short v = (short) (8000 * Math.sin(phase));
                stereo[2 * i] = v;
                stereo[2 * i + 1] = v;
            }
            int len = enc.encode(stereo, 0, 960, buf, 0, buf.length);
            packets.add(Rtp.build(111, false, f, 960L * f, 2, Arrays.copyOf(buf, len)));
        }
        return packets;
    }
}
