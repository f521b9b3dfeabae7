package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DigestAlgorithmTest {

    @Test
    void hashesMatchPublishedVectors() {
        // RFC 1321 appendix A.5 and FIPS 180-2 appendix B.1.
        assertEquals("900150983cd24fb0d6963f7d28e17f72", DigestAlgorithm.MD5.hash("abc"));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", DigestAlgorithm.SHA_256.hash("abc"));
    }

    @Test
    void hashesUtf8BytesOfNonAsciiInput() {
        // Expected value from: printf '\xc3\xa9' | md5sum (the UTF-8 bytes of U+00E9).
        assertEquals("66ddcd97cfdeabb2f6fb8a999b4bc76f", DigestAlgorithm.MD5.hash("\u00e9"));
    }

    @Test
    void wireTokens() {
        assertEquals("MD5", DigestAlgorithm.MD5.token());
        assertEquals("SHA-256", DigestAlgorithm.SHA_256.token());
    }

    @Test
    void absentAlgorithmMeansMd5() {
        assertEquals(Optional.of(DigestAlgorithm.MD5), DigestAlgorithm.fromToken(null));
    }

    @Test
    void tokensAreCaseInsensitive() {
        assertEquals(Optional.of(DigestAlgorithm.MD5), DigestAlgorithm.fromToken("md5"));
        assertEquals(Optional.of(DigestAlgorithm.SHA_256), DigestAlgorithm.fromToken("sha-256"));
        assertEquals(Optional.of(DigestAlgorithm.SHA_256), DigestAlgorithm.fromToken("SHA-256"));
    }

    @Test
    void sessVariantsAndUnknownAlgorithmsAreUnsupported() {
        assertTrue(DigestAlgorithm.fromToken("MD5-sess").isEmpty());
        assertTrue(DigestAlgorithm.fromToken("SHA-256-sess").isEmpty());
        assertTrue(DigestAlgorithm.fromToken("SHA-512-256").isEmpty());
        assertTrue(DigestAlgorithm.fromToken("AKAv1-MD5").isEmpty());
        assertTrue(DigestAlgorithm.fromToken("").isEmpty());
    }
}
