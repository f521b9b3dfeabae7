package org.wabridge.media.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.JitsiSrtp;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * Benchmark (not part of the bridge, and not a test): the CPU of SRTP per audio packet, on one thread, without
 * sockets. Protects a 172-byte RTP packet (PCMU, 20 ms) and unprotects it again, per pair, two ways:
 * <ul>
 *   <li>{@code ours}: the relay's {@link SrtpEndpoint} (the JDK's AES and HMAC-SHA1, keyed once per call);</li>
 *   <li>{@code jitsi-srtp}: the library the relay used until run 17 (OpenSSL through JNI, the cipher set up again
 *       for every packet's IV), through the tests' {@link JitsiSrtp}.</li>
 * </ul>
 * Both must produce the same SRTP bytes for the same keys and packet, or the run stops.
 * <p>Arguments: {@code [pairs] [contexts] [evictKb]} (default 2,000,000 pairs per path and round, three rounds, the
 * first one JIT warm-up; 1 context; no eviction). With {@code contexts} above 1 the pairs go round-robin over that
 * many calls' keys, as a relay's loop does; with {@code evictKb} each pair is preceded by a walk over that much
 * memory, as the kernel's packet work between two packets pushes a call's keys out of the caches. The walk alone is
 * timed too and taken off both paths' figures. Run from the test classpath (BENCHMARKS.md, run 17).
 */
public final class SrtpCryptoBench {

    private static final int RTP_LENGTH = 172;

    private SrtpCryptoBench() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int contexts = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        byte[] evict = new byte[(args.length > 2 ? Integer.parseInt(args[2]) : 0) * 1024];
        Random random = new Random(7);
        long ssrc = 0x1234_5678L;
        SrtpEndpoint[] oursOut = new SrtpEndpoint[contexts];
        SrtpEndpoint[] oursIn = new SrtpEndpoint[contexts];
        JitsiSrtp[] jitsiOut = new JitsiSrtp[contexts];
        JitsiSrtp[] jitsiIn = new JitsiSrtp[contexts];
        for (int c = 0; c < contexts; c++) {
            byte[] keyAndSalt = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
            random.nextBytes(keyAndSalt);
            CryptoAttribute crypto = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, keyAndSalt);
            oursOut[c] = new SrtpEndpoint(crypto, crypto);
            oursIn[c] = new SrtpEndpoint(crypto, crypto);
            jitsiOut[c] = new JitsiSrtp(crypto, crypto, ssrc);
            jitsiIn[c] = new JitsiSrtp(crypto, crypto, ssrc);
        }
        check(ssrc);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%d contexts, %d KB walked before each pair%n", contexts, evict.length / 1024);
        System.out.println("round | ours µs per protect+unprotect | jitsi-srtp | the walk alone, µs");
        int seq = 1;
        int sink = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < pairs; i++, seq++) {
                sink += walk(evict);
                int c = i % contexts;
                PacketBuffer srtp = oursOut[c].protectRtp(rtp(seq, ssrc), RTP_LENGTH);
                if (oursIn[c].unprotectRtp(srtp) != SrtpEndpoint.Verdict.OK) {
                    throw new IllegalStateException("SrtpEndpoint refused its own packet " + seq);
                }
            }
            long t1 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < pairs; i++, seq++) {
                sink += walk(evict);
                int c = i % contexts;
                byte[] srtp = jitsiOut[c].protectRtp(rtp(seq, ssrc), RTP_LENGTH);
                if (jitsiIn[c].unprotectRtp(srtp, srtp.length) == null) {
                    throw new IllegalStateException("jitsi-srtp refused its own packet " + seq);
                }
            }
            long t2 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < pairs; i++, seq++) {
                sink += walk(evict);
                sink += rtp(seq, ssrc)[3];
            }
            long t3 = threads.getCurrentThreadCpuTime();
            double walk = (t3 - t2) / 1e3 / pairs;
            System.out.printf(Locale.ROOT, "%5d | %29.2f | %10.2f | %18.2f%n", round, (t1 - t0) / 1e3 / pairs - walk,
                    (t2 - t1) / 1e3 / pairs - walk, walk);
        }
        if (sink == 42) {
            System.out.println(); // keeps the walk from being optimised away
        }
    }

    /** Touches one byte per cache line of {@code memory}, writing it, so the lines are owned and dirty. */
    private static int walk(byte[] memory) {
        int sum = 0;
        for (int i = 0; i < memory.length; i += 64) {
            sum += memory[i]++;
        }
        return sum;
    }

    /** Both paths must produce the same SRTP packet, or the comparison measures two different things. */
    private static void check(long ssrc) throws Exception {
        byte[] keyAndSalt = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        new Random(8).nextBytes(keyAndSalt);
        CryptoAttribute crypto = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, keyAndSalt);
        byte[] ours = new SrtpEndpoint(crypto, crypto).protectRtp(rtp(0, ssrc), RTP_LENGTH).toArray();
        byte[] jitsi = new JitsiSrtp(crypto, crypto, ssrc).protectRtp(rtp(0, ssrc), RTP_LENGTH);
        if (!Arrays.equals(jitsi, ours)) {
            throw new IllegalStateException("SrtpEndpoint's SRTP differs from jitsi-srtp's");
        }
    }

    private static byte[] rtp(int seq, long ssrc) {
        byte[] p = new byte[RTP_LENGTH + PacketBuffer.TRAILER_ROOM];
        p[0] = (byte) 0x80;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[8] = (byte) (ssrc >> 24);
        p[9] = (byte) (ssrc >> 16);
        p[10] = (byte) (ssrc >> 8);
        p[11] = (byte) ssrc;
        for (int i = 12; i < RTP_LENGTH; i++) {
            p[i] = (byte) (0xFF - i);
        }
        return p;
    }
}
