package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestCredentialsTest {

    /** Meta's retry on a user-initiated call, from its sample: no algorithm, uri without ;transport=tls. */
    private static final String META_RETRY = "Digest username=\"12145551869\", realm=\"sip.twilio.com\", nonce=\"abc123\","
            + " uri=\"sip:+12145551869@meta-voip.example.com\", response=\"0123456789abcdef0123456789abcdef\","
            + " cnonce=\"xyz\", opaque=\"op\", qop=auth, nc=00000001";

    @Test
    void parsesMetasRetry() {
        assertEquals(Optional.of(new DigestCredentials("12145551869", "sip.twilio.com", "abc123",
                "sip:+12145551869@meta-voip.example.com", "0123456789abcdef0123456789abcdef", DigestAlgorithm.MD5,
                "xyz", "00000001", "auth", "op")), DigestCredentials.parse(META_RETRY));
    }

    @Test
    void parsesRfc2069CredentialsWithoutQop() {
        DigestCredentials credentials = DigestCredentials.parse("Digest username=\"u\", realm=\"r\", nonce=\"n\", "
                + "uri=\"sip:a@b\", response=\"00\"").orElseThrow();
        assertNull(credentials.qop());
        assertNull(credentials.nc());
        assertNull(credentials.cnonce());
        assertNull(credentials.opaque());
    }

    @Test
    void keyCaseAndQopCaseAreNormalised() {
        DigestCredentials credentials = DigestCredentials.parse("DIGEST USERNAME=\"u\", Realm=\"r\", NONCE=\"n\", "
                + "URI=\"sip:a@b\", Response=\"00\", CNonce=\"c\", NC=0000000A, QOP=AUTH, Algorithm=sha-256").orElseThrow();
        assertEquals("auth", credentials.qop());
        assertEquals("0000000A", credentials.nc());
        assertEquals(DigestAlgorithm.SHA_256, credentials.algorithm());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        // each lacks or breaks one thing Meta's retry has
        "Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
        "Digest username=\"u\", nonce=\"n\", uri=\"u\", response=\"00\"",
        "Digest username=\"u\", realm=\"r\", uri=\"u\", response=\"00\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"00\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", qop=auth, nc=00000001",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", qop=auth, cnonce=\"c\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", qop=auth, cnonce=\"c\", nc=1",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", qop=auth, cnonce=\"c\", nc=0000000g",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", qop=auth-int, cnonce=\"c\", nc=00000001",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", algorithm=MD5-sess",
        "Digest username=\"u\", username=\"v\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\"",
        "Basic dXNlcjpwYXNz",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"00\", Digest username=\"v\"",
    })
    void incompleteOrUnsupportedCredentialsAreEmpty(String headerValue) {
        assertEquals(Optional.empty(), DigestCredentials.parse(headerValue));
    }

    @Test
    void toStringHidesTheResponse() {
        DigestCredentials credentials = DigestCredentials.parse(META_RETRY).orElseThrow();
        assertFalse(credentials.toString().contains("0123456789abcdef"), credentials.toString());
        assertTrue(credentials.toString().contains("12145551869"), credentials.toString());
    }
}
