package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.wabridge.media.srtp.SrtpSuite;

class CryptoAttributeTest {

    // RFC 4568 section 4 example key (30 bytes)
    private static final String KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    @Test
    void parsesTheRfc4568ExampleWithLifetimeAndFormatsItBack() {
        CryptoAttribute c = CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20").orElseThrow();
        assertEquals(1, c.tag());
        assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_80, c.suite());
        byte[] material = Base64.getDecoder().decode(KEY);
        assertArrayEquals(java.util.Arrays.copyOf(material, 16), c.masterKey());
        assertArrayEquals(java.util.Arrays.copyOfRange(material, 16, 30), c.masterSalt());
        assertEquals("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY, c.format());
    }

    @Test
    void parsesTheShortTagSuite() {
        CryptoAttribute c = CryptoAttribute.parse("2 AES_CM_128_HMAC_SHA1_32 inline:" + KEY).orElseThrow();
        assertEquals(2, c.tag());
        assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_32, c.suite());
        assertEquals(4, c.suite().srtpTagLength());
    }

    @Test
    void refusesWhatWeCannotUse() {
        assertTrue(CryptoAttribute.parse("1 AES_256_CM_HMAC_SHA1_80 inline:" + KEY).isEmpty(), "AES-256");
        assertTrue(CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20|1:4").isEmpty(), "MKI");
        assertTrue(CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA").isEmpty(), "short key");
        assertTrue(CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + " UNENCRYPTED_SRTP").isEmpty(),
                "session parameters");
        assertTrue(CryptoAttribute.parse("x AES_CM_128_HMAC_SHA1_80 inline:" + KEY).isEmpty(), "tag");
        assertTrue(CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:!!!notbase64!!!").isEmpty(), "base64");
    }

    @Test
    void anEmptyKeyIsRefusedNotACrash() {
        // found by SdpFuzzTest#cryptoAttribute (crash-4a7b72...): "inline:||" split into no fields at all
        for (String value : new String[] {"1 AES_CM_128_HMAC_SHA1_80 inline:||", "1 AES_CM_128_HMAC_SHA1_80 inline:|",
                "1 AES_CM_128_HMAC_SHA1_80 inline:", "1 AES_CM_128_HMAC_SHA1_80 inline:|2^20"}) {
            assertTrue(CryptoAttribute.parse(value).isEmpty(), value);
        }
    }

    @Test
    void toStringNeverShowsTheKey() {
        CryptoAttribute c = CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY).orElseThrow();
        assertFalse(c.toString().contains(KEY));
        assertFalse(c.toString().contains(KEY.substring(0, 8)));
        assertTrue(c.toString().contains("AES_CM_128_HMAC_SHA1_80"));
    }
}
