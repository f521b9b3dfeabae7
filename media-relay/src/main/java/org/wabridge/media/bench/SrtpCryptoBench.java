package org.wabridge.media.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * Benchmark (not part of the bridge): the CPU of SRTP per audio packet, on one thread, without sockets. Protects a
 * 172-byte RTP packet (PCMU, 20 ms) and unprotects it again, per pair:
 * <ul>
 *   <li>{@code jitsi-srtp}: the relay's own path ({@link SrtpEndpoint}: jitsi-srtp with its OpenSSL AES-CTR and
 *       HMAC-SHA1, the cipher set up again for every packet's IV);</li>
 *   <li>{@code JCE, keys scheduled once}: the same AES-CM and HMAC-SHA1-80 work done with the JDK's own AES (one
 *       AES/ECB cipher per key, the counter blocks encrypted in one call and XORed) and HmacSHA1, set up once per
 *       key. It checks its own output against the first path's (same keys, same packet: same SRTP bytes), but is
 *       no SRTP implementation (no replay window, no rollover counter): what such a transform would cost at
 *       least, to size the gain before writing one.</li>
 * </ul>
 * <p>Arguments: {@code [pairs] [contexts] [evictKb]} (default 2,000,000 pairs per path and round, three rounds, the
 * first one JIT warm-up; 1 context; no eviction). With {@code contexts} above 1 the pairs go round-robin over that
 * many calls' keys, as a relay's loop does; with {@code evictKb} each pair is preceded by a walk over that much
 * memory, as the kernel's packet work between two packets pushes a call's keys out of the caches. The walk alone is
 * timed too and taken off both paths' figures.
 */
public final class SrtpCryptoBench {

    private static final int RTP_LENGTH = 172;
    private static final int HEADER = 12;
    private static final int TAG = 10;

    private SrtpCryptoBench() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int contexts = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        byte[] evict = new byte[(args.length > 2 ? Integer.parseInt(args[2]) : 0) * 1024];
        Random random = new Random(7);
        long ssrc = 0x1234_5678L;
        SrtpEndpoint[] senders = new SrtpEndpoint[contexts];
        SrtpEndpoint[] receivers = new SrtpEndpoint[contexts];
        ScheduledOnce[] onces = new ScheduledOnce[contexts];
        for (int c = 0; c < contexts; c++) {
            byte[] keyAndSalt = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
            random.nextBytes(keyAndSalt);
            CryptoAttribute crypto = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, keyAndSalt);
            senders[c] = new SrtpEndpoint(crypto, crypto, ssrc);
            receivers[c] = new SrtpEndpoint(crypto, crypto, ssrc);
            onces[c] = new ScheduledOnce(keyAndSalt, ssrc);
            check(senders[c], onces[c]);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%d contexts, %d KB walked before each pair%n", contexts, evict.length / 1024);
        System.out.println("round | jitsi-srtp µs per protect+unprotect | JCE, keys scheduled once | the walk alone, µs");
        int seq = 1;
        int sink = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < pairs; i++, seq++) {
                sink += walk(evict);
                int c = i % contexts;
                byte[] rtp = rtp(seq, ssrc);
                PacketBuffer srtp = senders[c].protectRtp(rtp, RTP_LENGTH);
                if (receivers[c].unprotectRtp(srtp) != SrtpEndpoint.Verdict.OK) {
                    throw new IllegalStateException("jitsi-srtp refused its own packet " + seq);
                }
            }
            long t1 = threads.getCurrentThreadCpuTime();
            byte[] packet = new byte[RTP_LENGTH + TAG];
            for (int i = 0; i < pairs; i++) {
                sink += walk(evict);
                ScheduledOnce once = onces[i % contexts];
                System.arraycopy(rtp(i & 0xFFFF, ssrc), 0, packet, 0, RTP_LENGTH);
                once.protect(packet, i & 0xFFFF);
                if (!once.unprotect(packet, i & 0xFFFF)) {
                    throw new IllegalStateException("JCE path refused its own packet " + i);
                }
            }
            long t2 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < pairs; i++) {
                sink += walk(evict);
                System.arraycopy(rtp(i & 0xFFFF, ssrc), 0, packet, 0, RTP_LENGTH);
            }
            long t3 = threads.getCurrentThreadCpuTime();
            double walk = (t3 - t2) / 1e3 / pairs;
            System.out.printf(Locale.ROOT, "%5d | %35.2f | %24.2f | %18.2f%n", round, (t1 - t0) / 1e3 / pairs - walk,
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

    /** Both paths must produce the same SRTP packet, or the second one measures something else. */
    private static void check(SrtpEndpoint sender, ScheduledOnce once) throws GeneralSecurityException {
        byte[] rtp = rtp(0, once.ssrc);
        byte[] ours = new byte[RTP_LENGTH + TAG];
        System.arraycopy(rtp, 0, ours, 0, RTP_LENGTH);
        once.protect(ours, 0);
        PacketBuffer theirs = sender.protectRtp(rtp(0, once.ssrc), RTP_LENGTH);
        byte[] jitsi = Arrays.copyOfRange(theirs.getBuffer(), theirs.getOffset(),
                theirs.getOffset() + theirs.getLength());
        if (!Arrays.equals(jitsi, ours)) {
            throw new IllegalStateException("the JCE path's SRTP differs from jitsi-srtp's");
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
        for (int i = HEADER; i < RTP_LENGTH; i++) {
            p[i] = (byte) (0xFF - i);
        }
        return p;
    }

    /** AES-CM and HMAC-SHA1-80 for one SSRC with session keys derived (RFC 3711 4.3) and scheduled once. */
    private static final class ScheduledOnce {
        private final long ssrc;
        private final Cipher ecb;
        private final Mac mac;
        private final byte[] salt;
        private final byte[] counters = new byte[11 * 16];
        private final byte[] keystream = new byte[11 * 16];
        private final byte[] tag = new byte[20];
        private final byte[] roc = new byte[4];

        ScheduledOnce(byte[] keyAndSalt, long ssrc) throws GeneralSecurityException {
            this.ssrc = ssrc;
            byte[] masterKey = Arrays.copyOfRange(keyAndSalt, 0, 16);
            byte[] masterSalt = Arrays.copyOfRange(keyAndSalt, 16, 30);
            Cipher kdf = Cipher.getInstance("AES/ECB/NoPadding");
            kdf.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(derive(kdf, masterSalt, 0, 16), "AES"));
            mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(derive(kdf, masterSalt, 1, 20), "HmacSHA1"));
            salt = derive(kdf, masterSalt, 2, 14);
        }

        /** RFC 3711 4.3.1 with key derivation rate 0 and index 0: AES-CM over (label << 48) XOR salt. */
        private static byte[] derive(Cipher kdf, byte[] masterSalt, int label, int length)
                throws GeneralSecurityException {
            byte[] blocks = new byte[(length + 15) / 16 * 16];
            for (int b = 0; b < blocks.length / 16; b++) {
                System.arraycopy(masterSalt, 0, blocks, b * 16, 14);
                blocks[b * 16 + 7] ^= (byte) label;
                blocks[b * 16 + 15] = (byte) b;
            }
            return Arrays.copyOf(kdf.doFinal(blocks), length);
        }

        void protect(byte[] p, int index) throws GeneralSecurityException {
            crypt(p, index);
            authenticate(p);
            System.arraycopy(tag, 0, p, RTP_LENGTH, TAG);
        }

        boolean unprotect(byte[] p, int index) throws GeneralSecurityException {
            authenticate(p);
            int diff = 0; // constant time, and no copies: this path is meant as a lower bound
            for (int i = 0; i < TAG; i++) {
                diff |= tag[i] ^ p[RTP_LENGTH + i];
            }
            if (diff != 0) {
                return false;
            }
            crypt(p, index);
            return true;
        }

        /** IV = (salt << 16) XOR (SSRC << 64) XOR (index << 16); one ECB call makes the whole keystream. */
        private void crypt(byte[] p, int index) throws GeneralSecurityException {
            for (int b = 0; b < counters.length / 16; b++) {
                int o = b * 16;
                System.arraycopy(salt, 0, counters, o, 14);
                counters[o + 4] ^= (byte) (ssrc >> 24);
                counters[o + 5] ^= (byte) (ssrc >> 16);
                counters[o + 6] ^= (byte) (ssrc >> 8);
                counters[o + 7] ^= (byte) ssrc;
                counters[o + 12] ^= (byte) (index >> 8);
                counters[o + 13] ^= (byte) index;
                counters[o + 14] = 0;
                counters[o + 15] = (byte) b;
            }
            ecb.doFinal(counters, 0, counters.length, keystream, 0);
            for (int i = HEADER; i < RTP_LENGTH; i++) {
                p[i] ^= keystream[i - HEADER];
            }
        }

        private void authenticate(byte[] p) throws GeneralSecurityException {
            mac.update(p, 0, RTP_LENGTH);
            mac.update(roc, 0, 4);
            mac.doFinal(tag, 0);
        }
    }
}
