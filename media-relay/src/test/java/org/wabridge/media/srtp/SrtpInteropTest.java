package org.wabridge.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtcp;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * {@link SrtpEndpoint} against jitsi-srtp (OpenSSL's AES and HMAC through JNI, no code shared with ours), both
 * ways, both suites: what one protects the other must open, byte for byte, through a rollover of the sequence
 * number and with CSRCs and a header extension (which stay in clear).
 */
class SrtpInteropTest {

    private static final long SSRC = 0x5EED_1234L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static CryptoAttribute key(SrtpSuite suite) {
        byte[] material = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        RANDOM.nextBytes(material);
        return new CryptoAttribute(1, suite, material);
    }

    /** 40 packets from sequence number 65,520 on (rollover counter 0, then 1), every fifth with CSRCs and extension. */
    private static List<byte[]> stream() {
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] payload = new byte[20 + i * 7]; // lengths that end mid-block, up to 293 bytes
            RANDOM.nextBytes(payload);
            byte[] rtp = Rtp.build(111, false, (65_520 + i) & 0xFFFF, 960L * i, SSRC, payload);
            packets.add(i % 5 == 4 ? withCsrcsAndExtension(rtp) : rtp);
        }
        return packets;
    }

    /** The same packet with two CSRCs and a one-word RFC 8285 extension between header and payload. */
    private static byte[] withCsrcsAndExtension(byte[] rtp) {
        byte[] p = new byte[rtp.length + 8 + 8];
        System.arraycopy(rtp, 0, p, 0, 12);
        p[0] = (byte) (0x80 | 0x10 | 2);
        Rtp.putU32(p, 12, 0x1111_1111L);
        Rtp.putU32(p, 16, 0x2222_2222L);
        p[20] = (byte) 0xBE;
        p[21] = (byte) 0xDE;
        p[23] = 1; // one word of extension data
        p[24] = 0x10;
        p[25] = 0x42;
        System.arraycopy(rtp, 12, p, 28, rtp.length - 12);
        return p;
    }

    @Test
    void whatWeProtectJitsiOpensAndProtectsIdentically() throws Exception {
        for (SrtpSuite suite : SrtpSuite.values()) {
            CryptoAttribute ours = key(suite);
            SrtpEndpoint endpoint = new SrtpEndpoint(ours, key(suite));
            JitsiSrtp sender = new JitsiSrtp(ours, ours, SSRC);
            JitsiSrtp receiver = new JitsiSrtp(ours, ours, SSRC);
            for (byte[] rtp : stream()) {
                byte[] srtp = endpoint.protectRtp(rtp.clone(), rtp.length).toArray();
                assertEquals(rtp.length + suite.srtpTagLength(), srtp.length);
                assertArrayEquals(sender.protectRtp(rtp, rtp.length), srtp, suite + " sequence " + Rtp.sequence(rtp));
                assertArrayEquals(rtp, receiver.unprotectRtp(srtp, srtp.length), suite + " opened by jitsi-srtp");
            }
            for (int i = 0; i < 3; i++) {
                byte[] sr = Rtcp.senderReport(SSRC, System.currentTimeMillis(), 960L * i, i, 160L * i, "interop");
                byte[] srtcp = endpoint.protectRtcp(sr.clone(), sr.length).toArray();
                assertArrayEquals(sender.protectRtcp(sr, sr.length), srtcp, suite + " SRTCP index " + i);
                assertArrayEquals(sr, receiver.unprotectRtcp(srtcp, srtcp.length),
                        suite + " SRTCP opened by jitsi-srtp");
            }
        }
    }

    @Test
    void whatJitsiProtectsWeOpenAndRefuseASecondTime() throws Exception {
        for (SrtpSuite suite : SrtpSuite.values()) {
            CryptoAttribute theirs = key(suite);
            SrtpEndpoint endpoint = new SrtpEndpoint(key(suite), theirs);
            JitsiSrtp meta = new JitsiSrtp(theirs, theirs, SSRC);
            List<byte[]> plain = stream();
            List<byte[]> sent = new ArrayList<>();
            for (byte[] rtp : plain) {
                sent.add(meta.protectRtp(rtp, rtp.length));
            }
            // on the wire: 17 and 16 swapped (either side of the rollover), everything else in order
            int[] order = new int[plain.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            order[16] = 17;
            order[17] = 16;
            for (int i : order) {
                byte[] srtp = sent.get(i).clone();
                PacketBuffer buf = new PacketBuffer(srtp, srtp.length);
                assertEquals(SrtpEndpoint.Verdict.OK, endpoint.unprotectRtp(buf), suite + " packet " + i);
                assertArrayEquals(plain.get(i), buf.toArray(), suite + " packet " + i);
            }
            byte[] again = sent.get(16).clone();
            assertEquals(SrtpEndpoint.Verdict.REPLAY, endpoint.unprotectRtp(new PacketBuffer(again, again.length)));

            byte[] sr = Rtcp.senderReport(SSRC, System.currentTimeMillis(), 960, 1, 160, "interop");
            byte[] srtcp = meta.protectRtcp(sr, sr.length);
            PacketBuffer buf = new PacketBuffer(srtcp.clone(), srtcp.length);
            assertEquals(SrtpEndpoint.Verdict.OK, endpoint.unprotectRtcp(buf));
            assertArrayEquals(sr, buf.toArray());
            assertEquals(SrtpEndpoint.Verdict.REPLAY,
                    endpoint.unprotectRtcp(new PacketBuffer(srtcp.clone(), srtcp.length)));
        }
    }
}
