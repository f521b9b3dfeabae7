package org.wabridge.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * RFC 3711 Appendix B.3: the key derivation vector, checked with the JDK's AES-CTR as the PRF, and then used
 * to check that {@link SrtpEndpoint} encrypts and authenticates a packet with exactly those session keys.
 */
class SrtpRfc3711Test {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] MASTER_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    // Appendix B.3 results (index 0, key derivation rate 0)
    private static final byte[] CIPHER_KEY = HEX.parseHex("c61e7a93744f39ee10734afe3ff7a087");
    private static final byte[] CIPHER_SALT = HEX.parseHex("30cbbc08863d8c85d49db34a9ae1");
    private static final byte[] AUTH_KEY = HEX.parseHex("cebe321f6ff7716b6fd4ab49af256a156d38baa4");

    @Test
    void keyDerivationMatchesAppendixB3() throws Exception {
        assertArrayEquals(CIPHER_KEY, derive(0x00, 16));
        assertArrayEquals(AUTH_KEY, derive(0x01, 20));
        assertArrayEquals(CIPHER_SALT, derive(0x02, 14));
    }

    @Test
    void protectsWithTheAppendixB3SessionKeys() throws Exception {
        byte[] keyAndSalt = ByteBuffer.allocate(30).put(MASTER_KEY).put(MASTER_SALT).array();
        CryptoAttribute crypto = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, keyAndSalt);
        long ssrc = 0xCAFEBABEL;
        byte[] payload = new byte[37];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        byte[] rtp = Rtp.build(111, false, 4660, 123_456L, ssrc, payload);

        SrtpEndpoint endpoint = new SrtpEndpoint(crypto, crypto);
        byte[] srtp = endpoint.protectRtp(rtp, rtp.length).toArray();

        byte[] expected = expectedSrtp(rtp, ssrc, 4660);
        assertEquals(rtp.length + 10, srtp.length, "80-bit tag");
        assertArrayEquals(expected, srtp);
    }

    /** RFC 3711 section 4.3.1 PRF: AES-CM keyed with the master key over (label || index) XOR salt. */
    private static byte[] derive(int label, int length) throws Exception {
        byte[] iv = new byte[16];
        System.arraycopy(MASTER_SALT, 0, iv, 0, 14);
        iv[7] ^= (byte) label;
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(MASTER_KEY, "AES"), new IvParameterSpec(iv));
        return aes.doFinal(new byte[length]);
    }

    /** SRTP by hand from the B.3 session keys: AES-CM payload, HMAC-SHA1 over packet || ROC. */
    private static byte[] expectedSrtp(byte[] rtp, long ssrc, int seq) throws Exception {
        byte[] iv = new byte[16];
        System.arraycopy(CIPHER_SALT, 0, iv, 0, 14);
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= (byte) (ssrc >>> (24 - 8 * i));
        }
        long index = seq; // ROC 0
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        }
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(CIPHER_KEY, "AES"), new IvParameterSpec(iv));
        byte[] encryptedPayload = aes.doFinal(Arrays.copyOfRange(rtp, 12, rtp.length));
        byte[] packet = ByteBuffer.allocate(rtp.length).put(rtp, 0, 12).put(encryptedPayload).array();
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(AUTH_KEY, "HmacSHA1"));
        hmac.update(packet);
        byte[] tag = hmac.doFinal(new byte[4]); // ROC = 0
        return ByteBuffer.allocate(packet.length + 10).put(packet).put(tag, 0, 10).array();
    }
}
