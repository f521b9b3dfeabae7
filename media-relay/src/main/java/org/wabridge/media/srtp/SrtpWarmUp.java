package org.wabridge.media.srtp;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * One SRTP and SRTCP round trip through {@link SrtpEndpoint} with throw-away keys, once per JVM, so that what the
 * first use costs (the JDK's security providers looked up and their AES and HMAC-SHA1 classes loaded and verified,
 * {@code SecureRandom} seeded) is paid before the bridge takes calls, and a JDK without AES or HmacSHA1 is found at
 * start rather than on the first call. Without it the first call once waited over a second between Meta's 200 OK
 * and the PBX's 200 OK (BENCHMARKS.md, "Call set-up latency", when SRTP was jitsi-srtp's). The media relay runs it
 * from its constructor.
 */
public final class SrtpWarmUp {

    private static volatile long nanos = -1;

    private SrtpWarmUp() {}

    /**
     * Protects and unprotects one RTP and one RTCP packet of each supported suite, the first time it is called
     * (later calls return at once). Returns how long the first run took, in nanoseconds.
     *
     * @throws GeneralSecurityException when a packet does not survive the round trip: SRTP is
     *                                  broken on this machine, and calls would fail the same way
     */
    public static synchronized long run() throws GeneralSecurityException {
        if (nanos >= 0) {
            return nanos;
        }
        long start = System.nanoTime();
        SecureRandom random = new SecureRandom();
        for (SrtpSuite suite : SrtpSuite.values()) {
            roundTrip(suite, random);
        }
        nanos = System.nanoTime() - start;
        return nanos;
    }

    /** True once {@link #run()} has completed in this JVM. */
    public static boolean done() {
        return nanos >= 0;
    }

    private static void roundTrip(SrtpSuite suite, SecureRandom random) throws GeneralSecurityException {
        CryptoAttribute a = key(suite, random);
        CryptoAttribute b = key(suite, random);
        long ssrc = random.nextInt() & 0xFFFF_FFFFL;
        SrtpEndpoint sender = new SrtpEndpoint(a, b);
        SrtpEndpoint receiver = new SrtpEndpoint(b, a);
        byte[] rtp = rtp(ssrc);
        byte[] plain = rtp.clone();
        PacketBuffer srtp = sender.protectRtp(rtp, rtp.length);
        check(receiver.unprotectRtp(srtp), srtp, plain, "SRTP");

        byte[] rtcp = rtcp(ssrc);
        byte[] plainRtcp = rtcp.clone();
        PacketBuffer srtcp = sender.protectRtcp(rtcp, rtcp.length);
        check(receiver.unprotectRtcp(srtcp), srtcp, plainRtcp, "SRTCP");
    }

    private static void check(SrtpEndpoint.Verdict verdict, PacketBuffer got, byte[] expected, String what)
            throws GeneralSecurityException {
        if (verdict != SrtpEndpoint.Verdict.OK || !Arrays.equals(got.toArray(), expected)) {
            throw new GeneralSecurityException("SRTP self-test failed: " + what + " round trip gave " + verdict);
        }
    }

    private static CryptoAttribute key(SrtpSuite suite, SecureRandom random) {
        byte[] keyAndSalt = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        random.nextBytes(keyAndSalt);
        return new CryptoAttribute(1, suite, keyAndSalt);
    }

    /** An RTP packet as the relay sends toward Meta: version 2, Opus (111), 20 ms of payload, room for the tag. */
    private static byte[] rtp(long ssrc) {
        byte[] p = new byte[12 + 80];
        p[0] = (byte) 0x80;
        p[1] = 111;
        p[3] = 1; // sequence number 1
        putInt(p, 8, ssrc);
        for (int i = 12; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    /** An empty RTCP receiver report (RFC 3550 6.4.2): version 2, RC 0, PT 201, length 1. */
    private static byte[] rtcp(long ssrc) {
        byte[] p = new byte[8];
        p[0] = (byte) 0x80;
        p[1] = (byte) 201;
        p[3] = 1;
        putInt(p, 4, ssrc);
        return p;
    }

    private static void putInt(byte[] p, int at, long v) {
        p[at] = (byte) (v >>> 24);
        p[at + 1] = (byte) (v >>> 16);
        p[at + 2] = (byte) (v >>> 8);
        p[at + 3] = (byte) v;
    }
}
