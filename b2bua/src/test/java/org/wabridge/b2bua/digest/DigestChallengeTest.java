package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestChallengeTest {

    /** Meta's 407 from its business-initiated sample trace. */
    static final String META_407 =
            "Digest realm=\"wa.meta.vc\",nonce=\"419ac2415577f8e1\",opaque=\"440badfc05072367\",algorithm=MD5,qop=\"auth\"";

    private static final DigestChallenge META_CHALLENGE =
            new DigestChallenge("wa.meta.vc", "419ac2415577f8e1", "440badfc05072367", DigestAlgorithm.MD5, true, false);

    @Test
    void parsesMetasChallenge() {
        assertEquals(Optional.of(META_CHALLENGE), DigestChallenge.parse(META_407));
    }

    @Test
    void parameterOrderSpacesAndKeyCaseDoNotMatter() {
        assertEquals(Optional.of(META_CHALLENGE), DigestChallenge.parse(
                "  digest   QOP = \"auth\" ,  Algorithm=md5,\tOPAQUE=\"440badfc05072367\" ,Nonce= \"419ac2415577f8e1\",REALM=\"wa.meta.vc\"  "));
    }

    @Test
    void missingAndDoubledCommasAreTolerated() {
        assertEquals(Optional.of(META_CHALLENGE), DigestChallenge.parse(
                "Digest realm=\"wa.meta.vc\" nonce=\"419ac2415577f8e1\",, opaque=\"440badfc05072367\", algorithm=MD5, qop=auth,"));
    }

    @Test
    void quotedStringsKeepCommasAndUnescapeBackslashes() {
        DigestChallenge challenge = DigestChallenge.parse(
                "Digest realm=\"PBX, \\\"main\\\" \\\\ office\", nonce=\"a,b=c\", qop=\"auth\"").orElseThrow();
        assertEquals("PBX, \"main\" \\ office", challenge.realm());
        assertEquals("a,b=c", challenge.nonce());
    }

    @Test
    void lineEndsAroundTheValueAreTolerated() {
        assertEquals(Optional.of(META_CHALLENGE), DigestChallenge.parse("\r\n " + META_407 + "\r\n"));
    }

    @Test
    void jainSipEncodingOfAChallengeParses() {
        // As JAIN-SIP's SIPHeader.getHeaderValue() re-encodes a challenge: no spaces, escapes kept.
        DigestChallenge challenge = DigestChallenge.parse(
                "Digest realm=\"wa.meta.vc\",nonce=\"a\\\"b,c\",algorithm=SHA-256,qop=\"auth,auth-int\",stale=TRUE").orElseThrow();
        assertEquals(new DigestChallenge("wa.meta.vc", "a\"b,c", null, DigestAlgorithm.SHA_256, true, true), challenge);
    }

    @Test
    void unknownParametersAreIgnored() {
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"r\", domain=\"sip:a.example sip:b.example\", "
                + "nonce=\"n\", charset=UTF-8, userhash=false, x-vendor=\"a, b\", qop=\"auth\"").orElseThrow();
        assertEquals(new DigestChallenge("r", "n", null, DigestAlgorithm.MD5, true, false), challenge);
    }

    @Test
    void absentAlgorithmIsMd5AndAbsentQopIsRfc2069() {
        assertEquals(Optional.of(new DigestChallenge("r", "n", null, DigestAlgorithm.MD5, false, false)),
                DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\""));
    }

    @Test
    void qopListWithAuthIsAccepted() {
        assertTrue(DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int, auth\"").orElseThrow().qopAuth());
        assertTrue(DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\"").orElseThrow().qopAuth());
    }

    @Test
    void qopWithoutAuthIsUnsupported() {
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""));
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", qop=\"authx\""));
    }

    @Test
    void sessAndUnknownAlgorithmsAreUnsupported() {
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess, qop=\"auth\""));
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256-sess"));
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"));
    }

    @Test
    void sha256AndStaleAreRead() {
        DigestChallenge challenge = DigestChallenge.parse(
                "Digest realm=\"wa.meta.vc\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\", stale=TRUE").orElseThrow();
        assertEquals(DigestAlgorithm.SHA_256, challenge.algorithm());
        assertTrue(challenge.stale());
        assertFalse(DigestChallenge.parse("Digest realm=\"r\", nonce=\"n\", stale=false").orElseThrow().stale());
    }

    @Test
    void missingRealmOrNonceIsRejected() {
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest nonce=\"n\", qop=\"auth\""));
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", qop=\"auth\""));
        assertEquals(Optional.empty(), DigestChallenge.parse("Digest realm=\"r\", nonce=\"\""));
    }

    @Test
    void otherSchemesAreNotDigest() {
        assertEquals(Optional.empty(), DigestChallenge.parse("Basic realm=\"r\""));
        assertEquals(Optional.empty(), DigestChallenge.parse("Bearer realm=\"r\", nonce=\"n\""));
        assertEquals(Optional.empty(), DigestChallenge.parse("Digestx realm=\"r\", nonce=\"n\""));
    }

    @Test
    void digestAfterAnotherSchemeInOneValueIsFound() {
        assertEquals(Optional.of(new DigestChallenge("r", "n", null, DigestAlgorithm.MD5, true, false)),
                DigestChallenge.parse("Basic realm=\"b\", Digest realm=\"r\", nonce=\"n\", qop=\"auth\""));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "Digest",
        "Digest realm=\"unterminated, nonce=\"n\"",
        "Digest realm=\"r\", nonce=\"n\\",
        "Digest realm=\"r\", nonce=",
        "Digest realm=\"r\", nonce=\"n\", realm=\"other\"",
        "Digest =\"r\", nonce=\"n\"",
        "\"Digest\" realm=\"r\", nonce=\"n\"",
        "Digest realm=\"r\", nonce=\"n\r\nVia: injected\"",
        "Digest realm=\"r\u0000\", nonce=\"n\"",
        ",,,",
        "===",
        "\"\"\"",
        "Digest realm=r nonce n",
        "Digest realm==, nonce==",
        "\u00e9\u00e9 \u4e2d=\u6587",
    })
    void garbageGivesEmptyNeverAnException(String headerValue) {
        assertEquals(Optional.empty(), DigestChallenge.parse(headerValue));
    }

    @Test
    void randomBytesNeverThrow() {
        java.util.Random random = new java.util.Random(7616);
        char[] alphabet = "Digest realm=\"nonce,qop\\ \t=auth\u00e9".toCharArray();
        for (int i = 0; i < 20_000; i++) {
            char[] value = new char[random.nextInt(60)];
            for (int j = 0; j < value.length; j++) {
                value[j] = alphabet[random.nextInt(alphabet.length)];
            }
            String text = new String(value);
            DigestChallenge.parse(text); // must not throw
            DigestCredentials.parse(text);
        }
    }

    @Test
    void chooseTakesSha256OverMd5WithinARealm() {
        List<DigestChallenge> chosen = DigestChallenge.choose(List.of(
                "Digest realm=\"wa.meta.vc\", nonce=\"md5nonce\", algorithm=MD5, qop=\"auth\"",
                "Digest realm=\"wa.meta.vc\", nonce=\"shanonce\", algorithm=SHA-256, qop=\"auth\""));
        assertEquals(1, chosen.size());
        assertEquals("shanonce", chosen.get(0).nonce());
        assertEquals(DigestAlgorithm.SHA_256, chosen.get(0).algorithm());

        List<DigestChallenge> reversed = DigestChallenge.choose(List.of(
                "Digest realm=\"wa.meta.vc\", nonce=\"shanonce\", algorithm=SHA-256, qop=\"auth\"",
                "Digest realm=\"wa.meta.vc\", nonce=\"md5nonce\", qop=\"auth\""));
        assertEquals(List.of("shanonce"), reversed.stream().map(DigestChallenge::nonce).toList());
    }

    @Test
    void chooseKeepsOneChallengePerRealmInOrderOfFirstAppearance() {
        List<DigestChallenge> chosen = DigestChallenge.choose(Arrays.asList(
                "Digest realm=\"proxy-b\", nonce=\"b1\", qop=\"auth\"",
                null,
                "Digest realm=\"proxy-a\", nonce=\"a1\", algorithm=MD5-sess, qop=\"auth\"",
                "Digest realm=\"proxy-a\", nonce=\"a2\", qop=\"auth\"",
                "Basic realm=\"proxy-c\"",
                "Digest realm=\"proxy-b\", nonce=\"b2\", algorithm=SHA-256, qop=\"auth\"",
                "not a challenge at all",
                "Digest realm=\"proxy-a\", nonce=\"a3\", qop=\"auth\""));
        assertEquals(List.of("proxy-b", "proxy-a"), chosen.stream().map(DigestChallenge::realm).toList());
        assertEquals(List.of("b2", "a2"), chosen.stream().map(DigestChallenge::nonce).toList());
    }

    @Test
    void chooseReadsSeveralChallengesInOneValue() {
        List<DigestChallenge> chosen = DigestChallenge.choose(List.of(
                "Digest realm=\"r\", nonce=\"m\", algorithm=MD5, qop=\"auth\", Digest realm=\"r\", nonce=\"s\", algorithm=SHA-256, qop=\"auth\""));
        assertEquals(List.of("s"), chosen.stream().map(DigestChallenge::nonce).toList());
    }

    @Test
    void chooseOfNothingIsEmpty() {
        assertEquals(List.of(), DigestChallenge.choose(null));
        assertEquals(List.of(), DigestChallenge.choose(List.of()));
        assertEquals(List.of(), DigestChallenge.choose(List.of("Digest algorithm=MD5-sess, realm=\"r\", nonce=\"n\"")));
    }

    @Test
    void headerValueRoundTrips() {
        DigestChallenge tricky = new DigestChallenge("a \"quoted\", realm\\", "n/+=", "o,p", DigestAlgorithm.SHA_256, true, true);
        assertEquals("Digest realm=\"a \\\"quoted\\\", realm\\\\\", nonce=\"n/+=\", opaque=\"o,p\", algorithm=SHA-256, "
                + "qop=\"auth\", stale=true", tricky.toHeaderValue());
        assertEquals(Optional.of(tricky), DigestChallenge.parse(tricky.toHeaderValue()));
        assertEquals(Optional.of(META_CHALLENGE), DigestChallenge.parse(META_CHALLENGE.toHeaderValue()));
        DigestChallenge plain = new DigestChallenge("r", "n", null, DigestAlgorithm.MD5, false, false);
        assertEquals("Digest realm=\"r\", nonce=\"n\", algorithm=MD5", plain.toHeaderValue());
    }

    @Test
    void constructorRefusesValuesThatWouldInjectHeaders() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new DigestChallenge("r\r\nX: y", "n", null, DigestAlgorithm.MD5, true, false));
        assertTrue(error.getMessage().contains("realm"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DigestChallenge("r", "", null, DigestAlgorithm.MD5, true, false));
    }
}
