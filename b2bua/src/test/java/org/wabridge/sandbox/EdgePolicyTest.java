package org.wabridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.b2bua.digest.DigestClient;

/** The sandbox edge's rules, without sockets: each documented Meta answer for the INVITE that earns it. */
class EdgePolicyTest {

    static final String BIZ = "+15550100001";
    static final String USER = "+15550100099";
    static final String URI = "sip:" + USER + "@wa.meta.vc;transport=tls";
    static final String SDES_OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 30000 RTP/SAVP 107 101\r\na=rtpmap:107 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\na=rtcp-mux\r\n";

    private final EdgeRules rules = rules(List.of(DigestAlgorithm.MD5), Map.of("+15550100486", UserBehaviour.DECLINE));
    private final EdgePolicy policy = new EdgePolicy(rules, Clock.systemUTC());
    /** One client, as the bridge has: it counts nc per nonce (two challenges in one millisecond share a nonce). */
    private final DigestClient client = new DigestClient();

    static EdgeRules rules(List<DigestAlgorithm> algorithms, Map<String, UserBehaviour> users) {
        return new EdgeRules("wa.meta.vc", "sip.bridge.example.test", Map.of(BIZ, "lab-secret"), algorithms, users,
                UserBehaviour.ANSWER, 100, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(20),
                Duration.ofSeconds(30));
    }

    private EdgePolicy.BusinessInvite invite(String scheme, String user, String host, String fromHost,
                                             List<String> auth, int connectedToday, boolean busy) {
        return new EdgePolicy.BusinessInvite(scheme, user, host, false, BIZ, fromHost, auth, SDES_OFFER, busy,
                connectedToday);
    }

    /** The bridge's way to answer: the challenge from the first answer, the digest over the Request-URI. */
    private List<String> answered(EdgeAnswer challenge, String password, String user) {
        DigestChallenge c = DigestChallenge.choose(challenge.headerValues("Proxy-Authenticate")).get(0);
        return List.of(client.answer(c, BIZ.substring(1), password, "INVITE",
                "sip:" + user + "@wa.meta.vc;transport=tls"));
    }

    private EdgeAnswer authenticated(String user, String fromHost, String password, int today, boolean busy) {
        EdgeAnswer first = policy.decide(invite("sip", user, "wa.meta.vc", fromHost, List.of(), 0, false));
        return policy.decide(invite("sip", user, "wa.meta.vc", fromHost, answered(first, password, user), today, busy));
    }

    @Test
    void firstInviteIsChallengedWithMetasRealmQopAndOpaque() {
        EdgeAnswer a = policy.decide(invite("sip", USER, "wa.meta.vc", "sip.bridge.example.test", List.of(), 0, false));
        assertEquals(407, a.status());
        String challenge = a.header("Proxy-Authenticate");
        assertTrue(challenge.contains("realm=\"wa.meta.vc\"") && challenge.contains("qop=\"auth\"")
                && challenge.contains("opaque=") && challenge.contains("algorithm=MD5"), challenge);
    }

    @Test
    void bothAlgorithmsMeansTwoChallengesSha256First() {
        EdgePolicy both = new EdgePolicy(rules(List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5), Map.of()),
                Clock.systemUTC());
        EdgeAnswer a = both.decide(invite("sip", USER, "wa.meta.vc", "sip.bridge.example.test", List.of(), 0, false));
        List<String> values = a.headerValues("Proxy-Authenticate");
        assertEquals(2, values.size());
        assertTrue(values.get(0).contains("SHA-256") && values.get(1).contains("MD5"), values.toString());
        // a SHA-256 answer is accepted
        EdgeAnswer second = both.decide(invite("sip", USER, "wa.meta.vc", "sip.bridge.example.test",
                answered(a, "lab-secret", USER), 0, false));
        assertTrue(second.proceeds(), second.why());
        assertTrue(second.why().contains("SHA-256"), second.why());
    }

    @Test
    void rightDigestProceedsToTheUsersBehaviour() {
        EdgeAnswer a = authenticated(USER, "sip.bridge.example.test", "lab-secret", 0, false);
        assertTrue(a.proceeds(), a.why());
        assertEquals(UserBehaviour.ANSWER, a.behaviour());
        assertEquals(UserBehaviour.DECLINE,
                authenticated("+15550100486", "sip.bridge.example.test", "lab-secret", 0, false).behaviour());
    }

    @Test
    void wrongPasswordIs403InvalidDigestNotAnotherChallenge() {
        EdgeAnswer a = authenticated(USER, "sip.bridge.example.test", "wrong", 0, false);
        assertEquals(403, a.status());
        assertEquals("Invalid digest auth response", a.reason());
        assertEquals("399 wa.meta.vc \"Invalid digest auth response\"", a.header("Warning"));
    }

    @Test
    void fromDomainMayBeTheHostnameOrAParentDomainOnly() {
        assertTrue(authenticated(USER, "bridge.example.test", "lab-secret", 0, false).proceeds());
        assertTrue(authenticated(USER, "SIP.bridge.example.test", "lab-secret", 0, false).proceeds());
        EdgeAnswer other = authenticated(USER, "foo.com", "lab-secret", 0, false);
        assertEquals(403, other.status());
        assertTrue(other.reason().startsWith("SIP server foo.com from INVITE does not match any SIP server"),
                other.reason());
        // a sibling or a child of the configured host is not a parent domain
        assertFalse(authenticated(USER, "x.sip.bridge.example.test", "lab-secret", 0, false).proceeds());
        assertFalse(authenticated(USER, "test", "lab-secret", 0, false).proceeds());
    }

    @Test
    void ipOrSipsRequestUriIs404BeforeAnyChallenge() {
        assertEquals(404, policy.decide(invite("sip", USER, "157.240.19.130", "bridge.example.test", List.of(), 0,
                false)).status());
        assertEquals(404, policy.decide(invite("sip", USER, "[2a03:2880::1]", "bridge.example.test", List.of(), 0,
                false)).status());
        assertEquals(404, policy.decide(invite("sips", USER, "wa.meta.vc", "bridge.example.test", List.of(), 0,
                false)).status());
    }

    @Test
    void reInviteIs500() {
        EdgeAnswer a = policy.decide(new EdgePolicy.BusinessInvite("sip", USER, "wa.meta.vc", true, BIZ,
                "bridge.example.test", List.of(), SDES_OFFER, false, 0));
        assertEquals(500, a.status());
    }

    @Test
    void unknownBusinessNumberIs400AssetNotFound() {
        EdgeAnswer first = policy.decide(invite("sip", USER, "wa.meta.vc", "bridge.example.test", List.of(), 0, false));
        EdgeAnswer a = policy.decide(new EdgePolicy.BusinessInvite("sip", USER, "wa.meta.vc", false, "+15550100002",
                "bridge.example.test", answered(first, "lab-secret", USER), SDES_OFFER, false, 0));
        assertEquals(400, a.status());
        assertEquals("Asset not found, invalid business phone number", a.reason());
    }

    @Test
    void activePairIsDuplicateCallAndTheDailyLimitIsCounted() {
        assertEquals("Duplicate call", authenticated(USER, "bridge.example.test", "lab-secret", 0, true).reason());
        EdgeAnswer limit = authenticated(USER, "bridge.example.test", "lab-secret", 100, false);
        assertEquals(403, limit.status());
        assertEquals("Business Initiated Connected Call Per Day Limit Hit", limit.reason());
        assertTrue(authenticated(USER, "bridge.example.test", "lab-secret", 99, false).proceeds());
    }

    @Test
    void finalAnswersCarryMetasPhrasesWarningsAndRetryAfter() {
        assertEquals(200, policy.finalAnswer(UserBehaviour.ANSWER).status());
        EdgeAnswer decline = policy.finalAnswer(UserBehaviour.DECLINE);
        assertEquals(486, decline.status());
        assertEquals("399 wa.meta.vc \"User declined the call\"", decline.header("Warning"));
        assertEquals("No Approved Call Permission Found", policy.finalAnswer(UserBehaviour.NO_PERMISSION).reason());
        assertEquals(408, policy.finalAnswer(UserBehaviour.RTP_TIMEOUT).status());
        EdgeAnswer busy = policy.finalAnswer(UserBehaviour.UNAVAILABLE);
        assertEquals(503, busy.status());
        assertEquals("30", busy.header("Retry-After"));
        EdgeAnswer noAnswer = policy.finalAnswer(UserBehaviour.NO_ANSWER);
        assertEquals(480, noAnswer.status());
        assertNull(noAnswer.header("Warning"));
    }

    @Test
    void sdpMetaCannotUseIsRefused() {
        assertNull(EdgePolicy.sdpProblem(SDES_OFFER));
        String dtls = SDES_OFFER.replace("RTP/SAVP", "UDP/TLS/RTP/SAVPF");
        assertTrue(EdgePolicy.sdpProblem(dtls).contains("no usable a=fingerprint"), EdgePolicy.sdpProblem(dtls));
        String withFingerprint = dtls.replace("a=rtcp-mux", "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB\r\n"
                + "a=setup:actpass\r\na=rtcp-mux");
        assertNull(EdgePolicy.sdpProblem(withFingerprint), "a DTLS-SRTP offer with a fingerprint is Meta's default");
        assertTrue(EdgePolicy.sdpProblem(SDES_OFFER.replace("RTP/SAVP", "RTP/AVP")).contains("neither RTP/SAVP"));
        assertTrue(EdgePolicy.sdpProblem(SDES_OFFER.replace("opus/48000/2", "PCMU/8000")).contains("opus"));
        assertTrue(EdgePolicy.sdpProblem(SDES_OFFER.replaceAll("a=crypto[^\r]*\r\n", "")).contains("a=crypto"));
    }
}
