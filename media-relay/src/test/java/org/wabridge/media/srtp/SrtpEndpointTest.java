package org.wabridge.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtcp;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;

/** Two endpoints with swapped keys, as the relay and Meta: protect on one, unprotect on the other. */
class SrtpEndpointTest {

    private static CryptoAttribute key(SrtpSuite suite) {
        byte[] material = new byte[30];
        new SecureRandom().nextBytes(material);
        return new CryptoAttribute(1, suite, material);
    }

    /** The relay's endpoint and Meta's, each with its own fresh key of {@code suite}, swapped between them. */
    private record Peers(CryptoAttribute relayKey, SrtpEndpoint relay, SrtpEndpoint meta) {
        static Peers of(SrtpSuite suite) throws Exception {
            CryptoAttribute relayKey = key(suite);
            CryptoAttribute metaKey = key(suite);
            return new Peers(relayKey, new SrtpEndpoint(relayKey, metaKey), new SrtpEndpoint(metaKey, relayKey));
        }
    }

    @Test
    void rtpAndRtcpRoundTripBothSuites() throws Exception {
        for (SrtpSuite suite : SrtpSuite.values()) {
            Peers peers = Peers.of(suite);
            SrtpEndpoint relay = peers.relay();
            SrtpEndpoint meta = peers.meta();
            byte[] rtp = Rtp.build(111, true, 7, 960, 1111, new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE});
            PacketBuffer srtp = relay.protectRtp(rtp, rtp.length);
            assertEquals(rtp.length + suite.srtpTagLength(), srtp.getLength(), suite + " tag length");
            assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtp(srtp));
            assertArrayEquals(rtp, srtp.toArray());

            byte[] sr = Rtcp.senderReport(1111, System.currentTimeMillis(), 960, 1, 3, "cname");
            PacketBuffer srtcp = relay.protectRtcp(sr, sr.length);
            assertEquals(sr.length + 4 + SrtpSuite.SRTCP_TAG_LENGTH, srtcp.getLength(), "E|index and 80-bit tag");
            assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtcp(srtcp));
            assertArrayEquals(sr, srtcp.toArray());
        }
    }

    @Test
    void tamperedPacketFailsAuthenticationAndReplayIsRefused() throws Exception {
        Peers peers = Peers.of(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpEndpoint relay = peers.relay();
        SrtpEndpoint meta = peers.meta();
        byte[] rtp = Rtp.build(111, false, 8, 1920, 1111, new byte[20]);
        byte[] srtp = relay.protectRtp(rtp, rtp.length).toArray();

        byte[] tampered = srtp.clone();
        tampered[15] ^= 1;
        assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE,
                meta.unprotectRtp(new PacketBuffer(tampered, tampered.length)));

        assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtp(new PacketBuffer(srtp.clone(), srtp.length)));
        assertEquals(SrtpEndpoint.Verdict.REPLAY, meta.unprotectRtp(new PacketBuffer(srtp.clone(), srtp.length)));
    }

    @Test
    void wrongKeyFailsAuthentication() throws Exception {
        CryptoAttribute relayKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpEndpoint relay = new SrtpEndpoint(relayKey, relayKey);
        SrtpEndpoint stranger = new SrtpEndpoint(relayKey, key(SrtpSuite.AES_CM_128_HMAC_SHA1_80));
        byte[] rtp = Rtp.build(0, false, 1, 160, 1, new byte[160]);
        PacketBuffer srtp = relay.protectRtp(rtp, rtp.length);
        assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE, stranger.unprotectRtp(srtp));
    }

    /**
     * Packets with made-up SSRCs that fail authentication take none of the few SSRC slots Meta's side has: the
     * streams that authenticate still get theirs, up to the limit.
     */
    @Test
    void forgedSsrcsTakeNoSlotAndAuthenticStreamsAreCappedAtFour() throws Exception {
        Peers peers = Peers.of(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpEndpoint relay = peers.relay();
        SrtpEndpoint meta = peers.meta();
        SrtpEndpoint forger = new SrtpEndpoint(key(SrtpSuite.AES_CM_128_HMAC_SHA1_80), peers.relayKey());
        for (int ssrc = 100; ssrc < 110; ssrc++) {
            byte[] rtp = Rtp.build(0, false, 1, 160, ssrc, new byte[160]);
            assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE, relay.unprotectRtp(forger.protectRtp(rtp, rtp.length)));
        }
        for (int ssrc = 1; ssrc <= 5; ssrc++) {
            byte[] rtp = Rtp.build(0, false, 1, 160, ssrc, new byte[160]);
            assertEquals(ssrc <= 4 ? SrtpEndpoint.Verdict.OK : SrtpEndpoint.Verdict.INVALID,
                    relay.unprotectRtp(meta.protectRtp(rtp, rtp.length)), "SSRC " + ssrc);
        }
    }

    @Test
    void packetsTooShortOrWithAHeaderPastTheirEndAreRefused() throws Exception {
        CryptoAttribute k = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpEndpoint endpoint = new SrtpEndpoint(k, k);
        byte[] shortRtp = new byte[12 + 9]; // a header and one byte less than the tag
        shortRtp[0] = (byte) 0x80;
        assertEquals(SrtpEndpoint.Verdict.INVALID, endpoint.unprotectRtp(new PacketBuffer(shortRtp, shortRtp.length)));
        byte[] shortRtcp = new byte[8 + 4 + 9];
        shortRtcp[0] = (byte) 0x80;
        shortRtcp[1] = (byte) 200;
        assertEquals(SrtpEndpoint.Verdict.INVALID,
                endpoint.unprotectRtcp(new PacketBuffer(shortRtcp, shortRtcp.length)));

        byte[] extensionPastEnd = Rtp.build(0, false, 1, 160, 1, new byte[8]);
        extensionPastEnd[0] |= 0x10;
        extensionPastEnd[15] = 9; // nine words of extension in a packet with two
        GeneralSecurityException refused = assertThrows(GeneralSecurityException.class,
                () -> endpoint.protectRtp(extensionPastEnd, extensionPastEnd.length));
        assertTrue(refused.getMessage().contains("header runs past its end"), refused.getMessage());
        assertThrows(GeneralSecurityException.class, () -> endpoint.protectRtp(new byte[0], 0));
        assertThrows(GeneralSecurityException.class, () -> endpoint.protectRtcp(new byte[4], 4));
    }

    @Test
    void aPacketOlderThanTheReplayWindowIsRefused() throws Exception {
        CryptoAttribute k = key(SrtpSuite.AES_CM_128_HMAC_SHA1_32);
        SrtpEndpoint sender = new SrtpEndpoint(k, k);
        SrtpEndpoint receiver = new SrtpEndpoint(k, k);
        byte[] old = sender.protectRtp(Rtp.build(0, false, 1000, 0, 7, new byte[160]), 172).toArray();
        byte[] late = sender.protectRtp(Rtp.build(0, false, 1001, 0, 7, new byte[160]), 172).toArray();
        byte[] now = sender.protectRtp(Rtp.build(0, false, 1064, 0, 7, new byte[160]), 172).toArray();
        assertEquals(SrtpEndpoint.Verdict.OK, receiver.unprotectRtp(new PacketBuffer(now, now.length)));
        assertEquals(SrtpEndpoint.Verdict.REPLAY, receiver.unprotectRtp(new PacketBuffer(old, old.length)),
                "64 behind");
        assertEquals(SrtpEndpoint.Verdict.OK, receiver.unprotectRtp(new PacketBuffer(late, late.length)), "63 behind");
    }

    /**
     * RFC 3711 3.4 lets a sender leave SRTCP unencrypted (E flag clear, still authenticated): such a packet is
     * accepted as it is, not "decrypted" into garbage; with its E flag set after the tag was made it fails.
     */
    @Test
    void anSrtcpPacketSentUnencryptedIsAuthenticatedAndLeftAsItIs() throws Exception {
        CryptoAttribute metaKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpEndpoint relay = new SrtpEndpoint(key(SrtpSuite.AES_CM_128_HMAC_SHA1_80), metaKey);
        byte[] sr = Rtcp.senderReport(4242, System.currentTimeMillis(), 960, 1, 160, "meta");
        SessionCrypto metaRtcp = SessionCrypto.rtcp(metaKey.masterKey(), metaKey.masterSalt());
        byte[] srtcp = Arrays.copyOf(sr, sr.length + 4 + SrtpSuite.SRTCP_TAG_LENGTH);
        Rtp.putU32(srtcp, sr.length, 5); // E clear, index 5
        metaRtcp.authenticate(srtcp, 0, sr.length + 4, -1);
        metaRtcp.writeTag(srtcp, sr.length + 4);

        byte[] flagged = srtcp.clone();
        flagged[sr.length] |= (byte) 0x80;
        assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE, relay.unprotectRtcp(new PacketBuffer(flagged, flagged.length)));
        PacketBuffer buf = new PacketBuffer(srtcp.clone(), srtcp.length);
        assertEquals(SrtpEndpoint.Verdict.OK, relay.unprotectRtcp(buf));
        assertArrayEquals(sr, buf.toArray());
    }

    /** Streams of two SSRCs interleaved: each keeps its own replay window (the last one looked up is cached). */
    @Test
    void twoInterleavedStreamsKeepTheirOwnReplayWindows() throws Exception {
        Peers peers = Peers.of(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        SrtpEndpoint relay = peers.relay();
        SrtpEndpoint meta = peers.meta();
        byte[] a7 = meta.protectRtp(Rtp.build(0, false, 7, 0, 0xA, new byte[160]), 172).toArray();
        byte[] b7 = meta.protectRtp(Rtp.build(0, false, 7, 0, 0xB, new byte[160]), 172).toArray();
        assertEquals(SrtpEndpoint.Verdict.OK, relay.unprotectRtp(new PacketBuffer(a7.clone(), a7.length)));
        assertEquals(SrtpEndpoint.Verdict.OK, relay.unprotectRtp(new PacketBuffer(b7.clone(), b7.length)),
                "the same sequence number in another stream is no replay");
        assertEquals(SrtpEndpoint.Verdict.REPLAY, relay.unprotectRtp(new PacketBuffer(a7.clone(), a7.length)));
        assertEquals(SrtpEndpoint.Verdict.REPLAY, relay.unprotectRtp(new PacketBuffer(b7.clone(), b7.length)));
    }
}
