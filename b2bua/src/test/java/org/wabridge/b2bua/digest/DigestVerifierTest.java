package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The user-initiated case: the bridge challenges Meta and checks its retry. */
class DigestVerifierTest {

    private static final String REALM = "bridge.example.com";
    private static final String USERNAME = "12145551869";
    private static final String PASSWORD = "Meta-Generated-Pw";
    /** Meta's retry carries this in its uri parameter while its Request-URI also has ;transport=tls. */
    private static final String DIGEST_URI = "sip:+12145551869@meta-voip.example.com";
    private static final String REQUEST_URI = DIGEST_URI + ";transport=tls";
    private static final Duration LIFETIME = Duration.ofMinutes(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-15T10:00:00Z"));
    private final byte[] secret = "0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);
    private final DigestVerifier verifier = new DigestVerifier(REALM, secret, clock, LIFETIME);

    private static String answer(String challengeHeader, String username, String password) {
        DigestChallenge challenge = DigestChallenge.parse(challengeHeader).orElseThrow();
        return new DigestClient().answer(challenge, username, password, "INVITE", DIGEST_URI);
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes a retry the way Meta's sample does: no algorithm parameter, uri as given, qop/nc last. */
    private static String metaStyleRetry(DigestChallenge challenge, String uriParameter, String hashedUri) throws Exception {
        String cnonce = "wfFo9lFbS2rcm5VqL7gpgw";
        String response = md5(md5(USERNAME + ":" + challenge.realm() + ":" + PASSWORD) + ":" + challenge.nonce()
                + ":00000001:" + cnonce + ":auth:" + md5("INVITE:" + hashedUri));
        return "Digest username=\"" + USERNAME + "\", realm=\"" + challenge.realm() + "\", nonce=\"" + challenge.nonce()
                + "\", uri=\"" + uriParameter + "\", response=\"" + response + "\", cnonce=\"" + cnonce + "\", opaque=\""
                + challenge.opaque() + "\", qop=auth, nc=00000001";
    }

    @ParameterizedTest
    @EnumSource(DigestAlgorithm.class)
    void acceptsTheRightPassword(DigestAlgorithm algorithm) {
        String challengeHeader = verifier.challenge(algorithm, false);
        assertEquals(DigestVerifier.Verdict.OK,
                verifier.verify(answer(challengeHeader, USERNAME, PASSWORD), "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void challengeOffersQopAuthAnOpaqueAndTheAlgorithm() {
        DigestChallenge md5 = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        DigestChallenge sha = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.SHA_256, true)).orElseThrow();
        assertEquals(REALM, md5.realm());
        assertTrue(md5.qopAuth());
        assertTrue(md5.opaque() != null && !md5.opaque().isEmpty());
        assertEquals(DigestAlgorithm.MD5, md5.algorithm());
        assertFalse(md5.stale());
        assertEquals(DigestAlgorithm.SHA_256, sha.algorithm());
        assertTrue(sha.stale());
    }

    @Test
    void noncesChangeOverTime() {
        String first = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow().nonce();
        clock.advance(Duration.ofMillis(1));
        String second = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow().nonce();
        assertFalse(first.equals(second));
    }

    @Test
    void metaStyleRetryIsCheckedOverTheUriAsSent() throws Exception {
        DigestChallenge challenge = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        String retry = metaStyleRetry(challenge, DIGEST_URI, DIGEST_URI);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void responseOverAnotherUriThanTheUriParameterIsWrong() throws Exception {
        // Proves HA2 uses the uri parameter: a client that hashed the Request-URI but sent another uri fails.
        DigestChallenge challenge = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        String retry = metaStyleRetry(challenge, DIGEST_URI, REQUEST_URI);
        assertEquals(DigestVerifier.Verdict.WRONG_RESPONSE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void methodTakesPartInTheResponse() {
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.WRONG_RESPONSE, verifier.verify(retry, "BYE", USERNAME, PASSWORD));
    }

    @Test
    void wrongPasswordIsWrongResponse() {
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, "not-the-password");
        assertEquals(DigestVerifier.Verdict.WRONG_RESPONSE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void otherUsernameIsWrongUsername() {
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), "+" + USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.WRONG_USERNAME, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void uppercaseHexResponseIsAccepted() {
        String retry = answer(verifier.challenge(DigestAlgorithm.SHA_256, false), USERNAME, PASSWORD);
        DigestCredentials credentials = DigestCredentials.parse(retry).orElseThrow();
        String upper = retry.replace(credentials.response(), credentials.response().toUpperCase());
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(upper, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void expiredNonceWithTheRightPasswordIsStale() {
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        clock.advance(LIFETIME);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
        clock.advance(Duration.ofMillis(1));
        assertEquals(DigestVerifier.Verdict.STALE_NONCE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void expiredNonceWithAWrongPasswordIsWrongResponse() {
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, "guess");
        clock.advance(LIFETIME.multipliedBy(2));
        assertEquals(DigestVerifier.Verdict.WRONG_RESPONSE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void nonceFromTheFutureIsStale() {
        clock.advance(LIFETIME.multipliedBy(3));
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        clock.advance(LIFETIME.multipliedBy(-2)); // the clock stepped back
        assertEquals(DigestVerifier.Verdict.STALE_NONCE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void replayedRequestIsStaleAndAHigherNonceCountIsAccepted() {
        DigestChallenge challenge = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        DigestClient client = new DigestClient();
        String first = client.answer(challenge, USERNAME, PASSWORD, "INVITE", DIGEST_URI);
        String second = client.answer(challenge, USERNAME, PASSWORD, "INVITE", DIGEST_URI); // nc=00000002

        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(first, "INVITE", USERNAME, PASSWORD));
        assertEquals(DigestVerifier.Verdict.STALE_NONCE, verifier.verify(first, "INVITE", USERNAME, PASSWORD));
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(second, "INVITE", USERNAME, PASSWORD));
        assertEquals(DigestVerifier.Verdict.STALE_NONCE, verifier.verify(first, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void rejectedAttemptsDoNotUseUpANonceCount() {
        DigestChallenge challenge = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        String wrong = new DigestClient(() -> "c1").answer(challenge, USERNAME, "guess", "INVITE", DIGEST_URI);
        String right = new DigestClient(() -> "c2").answer(challenge, USERNAME, PASSWORD, "INVITE", DIGEST_URI);
        assertEquals(DigestVerifier.Verdict.WRONG_RESPONSE, verifier.verify(wrong, "INVITE", USERNAME, PASSWORD));
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(right, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void replayMemoryForgetsExpiredNonces() {
        String first = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        String second = answer(verifier.challenge(DigestAlgorithm.SHA_256, false), USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(first, "INVITE", USERNAME, PASSWORD));
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(second, "INVITE", USERNAME, PASSWORD));
        assertEquals(2, verifier.trackedNonces());

        clock.advance(LIFETIME.plusSeconds(1));
        String later = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(later, "INVITE", USERNAME, PASSWORD));
        assertEquals(1, verifier.trackedNonces());
        assertEquals(DigestVerifier.Verdict.STALE_NONCE, verifier.verify(first, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void tamperedNonceIsForeignEvenWithAMatchingResponse() {
        DigestChallenge issued = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        char[] nonce = issued.nonce().toCharArray();
        nonce[3] = nonce[3] == 'A' ? 'B' : 'A'; // inside the timestamp: an attempt to extend the nonce's life
        DigestChallenge tampered = new DigestChallenge(REALM, new String(nonce), issued.opaque(), DigestAlgorithm.MD5, true, false);
        String retry = new DigestClient().answer(tampered, USERNAME, PASSWORD, "INVITE", DIGEST_URI);
        assertEquals(DigestVerifier.Verdict.FOREIGN_NONCE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void nonceNotMadeByUsIsForeign() {
        DigestChallenge issued = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        for (String nonce : new String[] {"419ac2415577f8e1", "!!!not base64!!!", issued.nonce() + "AAAA", issued.nonce() + "==",
                issued.nonce().substring(0, issued.nonce().length() - 4)}) {
            DigestChallenge forged = new DigestChallenge(REALM, nonce, issued.opaque(), DigestAlgorithm.MD5, true, false);
            String retry = new DigestClient().answer(forged, USERNAME, PASSWORD, "INVITE", DIGEST_URI);
            assertEquals(DigestVerifier.Verdict.FOREIGN_NONCE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD), nonce);
        }
    }

    @Test
    void nonceFromAnotherSecretOrRealmIsForeign() {
        byte[] otherSecret = "another-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
        DigestVerifier otherSecretVerifier = new DigestVerifier(REALM, otherSecret, clock, LIFETIME);
        String fromOtherSecret = answer(otherSecretVerifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.FOREIGN_NONCE, verifier.verify(fromOtherSecret, "INVITE", USERNAME, PASSWORD));

        DigestVerifier otherRealmVerifier = new DigestVerifier("other.example.com", secret, clock, LIFETIME);
        String fromOtherRealm = answer(otherRealmVerifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.FOREIGN_NONCE, verifier.verify(fromOtherRealm, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void nonceIsBoundToItsAlgorithm() {
        DigestChallenge md5 = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        DigestChallenge downgraded = new DigestChallenge(REALM, md5.nonce(), md5.opaque(), DigestAlgorithm.SHA_256, true, false);
        String retry = new DigestClient().answer(downgraded, USERNAME, PASSWORD, "INVITE", DIGEST_URI);
        assertEquals(DigestVerifier.Verdict.FOREIGN_NONCE, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void wrongOpaqueIsForeignAndMissingOpaqueIsTolerated() {
        DigestChallenge issued = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        DigestChallenge otherOpaque = new DigestChallenge(REALM, issued.nonce(), "x" + issued.opaque(), DigestAlgorithm.MD5, true, false);
        assertEquals(DigestVerifier.Verdict.FOREIGN_NONCE, verifier.verify(
                new DigestClient().answer(otherOpaque, USERNAME, PASSWORD, "INVITE", DIGEST_URI), "INVITE", USERNAME, PASSWORD));
        DigestChallenge noOpaque = new DigestChallenge(REALM, issued.nonce(), null, DigestAlgorithm.MD5, true, false);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(
                new DigestClient().answer(noOpaque, USERNAME, PASSWORD, "INVITE", DIGEST_URI), "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void instancesSharingTheSecretAcceptEachOthersNonces() {
        DigestVerifier twin = new DigestVerifier(REALM, secret, clock, LIFETIME);
        String retry = answer(twin.challenge(DigestAlgorithm.SHA_256, false), USERNAME, PASSWORD);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void secretIsCopied() {
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        Arrays.fill(secret, (byte) 0);
        assertEquals(DigestVerifier.Verdict.OK, verifier.verify(retry, "INVITE", USERNAME, PASSWORD));
    }

    @Test
    void unusableHeadersAreMalformed() {
        DigestChallenge issued = DigestChallenge.parse(verifier.challenge(DigestAlgorithm.MD5, false)).orElseThrow();
        DigestChallenge withoutQop = new DigestChallenge(REALM, issued.nonce(), issued.opaque(), DigestAlgorithm.MD5, false, false);
        String rfc2069Answer = new DigestClient().answer(withoutQop, USERNAME, PASSWORD, "INVITE", DIGEST_URI);
        for (String header : new String[] {null, "", "garbage", "Basic MTIxNDU1NTE4Njk6cHc=", rfc2069Answer}) {
            assertEquals(DigestVerifier.Verdict.MALFORMED, verifier.verify(header, "INVITE", USERNAME, PASSWORD), header);
        }
    }

    @Test
    void constructorExplainsBadSettings() {
        IllegalArgumentException shortSecret = assertThrows(IllegalArgumentException.class,
                () -> new DigestVerifier(REALM, new byte[8], clock, LIFETIME));
        assertTrue(shortSecret.getMessage().contains("at least 16"), shortSecret.getMessage());
        IllegalArgumentException blankRealm = assertThrows(IllegalArgumentException.class,
                () -> new DigestVerifier(" ", secret, clock, LIFETIME));
        assertTrue(blankRealm.getMessage().contains("realm"), blankRealm.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DigestVerifier(REALM, secret, clock, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new DigestVerifier("r\"\r\n", secret, clock, LIFETIME));
    }

    @Test
    void passwordAndSecretNeverAppearInTextOrExceptions() {
        String text = verifier.toString();
        assertFalse(text.contains(PASSWORD), text);
        assertFalse(text.contains("test-secret"), text);
        for (DigestVerifier.Verdict verdict : DigestVerifier.Verdict.values()) {
            assertFalse(verdict.explanation().isBlank());
        }
        NullPointerException noUser = assertThrows(NullPointerException.class,
                () -> verifier.verify("garbage", "INVITE", null, PASSWORD));
        assertFalse(noUser.getMessage().contains(PASSWORD), noUser.getMessage());
        String retry = answer(verifier.challenge(DigestAlgorithm.MD5, false), USERNAME, PASSWORD);
        assertFalse(retry.contains(PASSWORD), retry);
        assertFalse(DigestCredentials.parse(retry).orElseThrow().toString().contains(PASSWORD));
    }

    /** A clock tests move by hand. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("not needed by these tests");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
