package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The test-side SRTP receiver against published vectors: RFC 3711 Appendix B.2 (AES-CM keystream and IV),
 * Appendix B.3 (key derivation), and the SRTP/SRTCP packets of libsrtp's {@code srtp_validate()} (the B.3
 * master key and salt, SSRC 0xcafebabe, sequence number 0x1234, SRTCP index 1).
 */
class Rfc3711SrtpTest {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 3711 B.3
    private static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] MASTER_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");

    // libsrtp srtp_validate(): AES_CM_128_HMAC_SHA1_80 with the B.3 key
    private static final byte[] RTP_PLAIN = HEX.parseHex("800f1234decafbadcafebabe" + "ab".repeat(16));
    private static final byte[] SRTP = HEX.parseHex("800f1234decafbadcafebabe"
            + "4e55dc4ce79978d88ca4d215949d2402" + "b78d6acc99ea179b8dbb");
    private static final byte[] RTCP_PLAIN = HEX.parseHex("81c8000bcafebabe" + "ab".repeat(16));
    private static final byte[] SRTCP = HEX.parseHex("81c8000bcafebabe"
            + "7128035be487b9bdbef89041f977a5a8" + "80000001" + "993e08cd54d6c1230798");

    @Test
    void aesCmKeystreamAndIvMatchAppendixB2() throws Exception {
        byte[] sessionKey = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c");
        byte[] sessionSalt = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd");
        byte[] iv = Rfc3711Srtp.iv(sessionSalt, 0, 0);
        assertArrayEquals(HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000"), iv, "offset with SSRC 0, index 0");
        assertArrayEquals(HEX.parseHex("e03ead0935c95e80e166b16dd92b4eb4" + "d23513162b02d0f72a43a2fe4a5f97ab"
                + "41e95b3bb0a2e8dd477901e4fca894c0"), Rfc3711Srtp.aesCm(sessionKey, iv, new byte[48]));
        // the end of the 1044512-octet segment: counters ...FEFF, ...FF00, ...FF01
        byte[] keystream = Rfc3711Srtp.aesCm(sessionKey, iv, new byte[1044512]);
        assertArrayEquals(HEX.parseHex("ec8cdf7398607cb0f2d21675ea9ea1e4" + "362b7c3c6773516318a077d7fc5073ae"
                + "6a2cc3787889374fbeb4c81b17ba6c44"), Arrays.copyOfRange(keystream, keystream.length - 48,
                keystream.length));
    }

    @Test
    void keyDerivationMatchesAppendixB3() throws Exception {
        assertArrayEquals(HEX.parseHex("c61e7a93744f39ee10734afe3ff7a087"),
                Rfc3711Srtp.derive(MASTER_KEY, MASTER_SALT, Rfc3711Srtp.LABEL_RTP_ENCRYPTION, 16));
        assertArrayEquals(HEX.parseHex("30cbbc08863d8c85d49db34a9ae1"),
                Rfc3711Srtp.derive(MASTER_KEY, MASTER_SALT, Rfc3711Srtp.LABEL_RTP_SALT, 14));
        assertArrayEquals(HEX.parseHex("cebe321f6ff7716b6fd4ab49af256a15" + "6d38baa48f0a0acf3c34e2359e6cdbce"
                        + "e049646c43d9327ad175578ef7227098" + "6371c10c9a369ac2f94a8c5fbcdddc25"
                        + "6d6e919a48b610ef17c2041e47403576" + "6b68642c59bbfc2f34db60dbdfb2"),
                Rfc3711Srtp.derive(MASTER_KEY, MASTER_SALT, Rfc3711Srtp.LABEL_RTP_AUTH, 94), "94-octet example");
    }

    @Test
    void srtpPacketOfLibsrtpIsAuthenticatedDecryptedAndNotAcceptedTwice() throws Exception {
        Rfc3711Srtp receiver = new Rfc3711Srtp(keyAndSalt());
        assertArrayEquals(RTP_PLAIN, receiver.unprotectRtp(SRTP.clone()));
        assertNull(receiver.unprotectRtp(SRTP.clone()), "a replay is refused");

        for (int at : new int[] {1, 12, 27, SRTP.length - 1}) { // header, payload, tag
            byte[] forged = SRTP.clone();
            forged[at] ^= 0x01;
            assertNull(new Rfc3711Srtp(keyAndSalt()).unprotectRtp(forged), "bit flipped at " + at);
        }
        byte[] otherKey = keyAndSalt();
        otherKey[0] ^= 1;
        assertNull(new Rfc3711Srtp(otherKey).unprotectRtp(SRTP.clone()), "another key does not authenticate");
    }

    @Test
    void theSendingSideMakesLibsrtpsPacket() throws Exception {
        assertArrayEquals(SRTP, new Rfc3711Srtp(keyAndSalt()).protectRtp(RTP_PLAIN.clone()));
    }

    @Test
    void srtcpPacketOfLibsrtpIsAuthenticatedAndDecrypted() throws Exception {
        Rfc3711Srtp receiver = new Rfc3711Srtp(keyAndSalt());
        assertTrue(Rfc3711Srtp.isRtcp(SRTCP));
        assertFalse(Rfc3711Srtp.isRtcp(SRTP));
        assertArrayEquals(RTCP_PLAIN, receiver.unprotectRtcp(SRTCP.clone()));
        assertNull(receiver.unprotectRtcp(SRTCP.clone()), "a replay is refused");
        byte[] forged = SRTCP.clone();
        forged[10] ^= 0x01;
        assertNull(new Rfc3711Srtp(keyAndSalt()).unprotectRtcp(forged));
    }

    @Test
    void rolloverCounterIsEstimatedAsAppendixAGives() {
        assertEquals(0, Rfc3711Srtp.estimateRoc(100, 0, 101));
        assertEquals(1, Rfc3711Srtp.estimateRoc(65535, 0, 0), "wrap forward");
        assertEquals(0, Rfc3711Srtp.estimateRoc(65535, 0, 65000), "late packet before the wrap");
        assertEquals(0, Rfc3711Srtp.estimateRoc(3, 1, 65534), "late packet from before the wrap");
        assertEquals(1, Rfc3711Srtp.estimateRoc(3, 1, 4));
    }

    private static byte[] keyAndSalt() {
        byte[] k = new byte[30];
        System.arraycopy(MASTER_KEY, 0, k, 0, 16);
        System.arraycopy(MASTER_SALT, 0, k, 16, 14);
        return k;
    }
}
