package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import javax.sip.SipFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.b2bua.digest.DigestClient;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.MetaListenerLimits;
import org.wabridge.config.MetaSide;
import org.wabridge.config.SrtpKeyExchange;

/** meta.inboundChallengeAlgorithm and the per-source block after wrong digest answers. */
class InboundChallengerTest {

    static final BusinessNumber NUMBER = new BusinessNumber("+15550100001", "secret-1", null, SrtpKeyExchange.SDES);
    static final String URI = "sip:+15550100001@bridge.example.test";

    static InboundChallenger challenger(String algorithm, FloodCounters counters) {
        MetaSide meta = new MetaSide("sip:wa.meta.vc:5061;transport=tls", null, "bridge.example.test", null, null,
                null, null, 5061, null, null, List.of(NUMBER), Duration.ofSeconds(10), List.of(), 407, algorithm,
                MetaListenerLimits.DEFAULTS);
        return new InboundChallenger(meta, counters);
    }

    static Request invite(String proxyAuthorization) throws Exception {
        return SipFactory.getInstance().createMessageFactory().createRequest("INVITE " + URI + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKtest\r\n"
                + "From: <sip:+15559990000@127.0.0.1>;tag=1\r\nTo: <" + URI + ">\r\nCall-ID: challenge-test\r\n"
                + "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
                + "Content-Length: 0\r\n\r\n");
    }

    static List<String> challenges(InboundChallenger c, String source) throws Exception {
        InboundChallenger.Verdict v = c.check(invite(null), NUMBER, source);
        return assertInstanceOf(InboundChallenger.Verdict.Challenge.class, v).values();
    }

    static String algorithmOf(String challenge) {
        return DigestChallenge.parse(challenge).orElseThrow().algorithm().token();
    }

    @Test
    void md5IsTheDefaultAndSha256OrBothAreOffered() throws Exception {
        FloodCounters counters = new FloodCounters(() -> 0);
        assertEquals(List.of("MD5"), challenges(challenger("MD5", counters), "10.0.0.1").stream()
                .map(InboundChallengerTest::algorithmOf).toList());
        assertEquals(List.of("SHA-256"), challenges(challenger("SHA-256", counters), "10.0.0.1").stream()
                .map(InboundChallengerTest::algorithmOf).toList());
        assertEquals(List.of("SHA-256", "MD5"), challenges(challenger("both", counters), "10.0.0.1").stream()
                .map(InboundChallengerTest::algorithmOf).toList(), "RFC 8760: the preferred algorithm first");
        assertEquals(List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5), InboundChallenger.algorithms("both"));
    }

    @Test
    void withBothEitherChallengeAnsweredRightIsAccepted() throws Exception {
        InboundChallenger c = challenger("both", new FloodCounters(() -> 0));
        for (String challenge : challenges(c, "10.0.0.1")) {
            String answer = new DigestClient().answer(DigestChallenge.parse(challenge).orElseThrow(),
                    NUMBER.digestUsername(), NUMBER.password(), "INVITE", URI);
            assertInstanceOf(InboundChallenger.Verdict.Accept.class, c.check(invite(answer), NUMBER, "10.0.0.1"),
                    "a right answer to " + algorithmOf(challenge));
        }
    }

    @Test
    void fiveWrongAnswersBlockTheSourceButNotOthers() throws Exception {
        FloodCounters counters = new FloodCounters(() -> 0);
        InboundChallenger c = challenger("MD5", counters);
        for (int i = 0; i < DigestFailures.MAX_FAILURES; i++) {
            String challenge = challenges(c, "10.0.0.66").get(0);
            String wrong = new DigestClient().answer(DigestChallenge.parse(challenge).orElseThrow(),
                    NUMBER.digestUsername(), "guess-" + i, "INVITE", URI);
            assertInstanceOf(InboundChallenger.Verdict.Forbidden.class, c.check(invite(wrong), NUMBER, "10.0.0.66"));
        }
        assertEquals(5, counters.digestWrong());
        InboundChallenger.Verdict blocked = c.check(invite(null), NUMBER, "10.0.0.66");
        assertEquals("Too many invalid digest responses",
                assertInstanceOf(InboundChallenger.Verdict.Forbidden.class, blocked).phrase(),
                "a blocked source gets 403 without a challenge");
        assertEquals(1, counters.digestBlocked());
        String challenge = challenges(c, "10.0.0.1").get(0);
        String right = new DigestClient().answer(DigestChallenge.parse(challenge).orElseThrow(),
                NUMBER.digestUsername(), NUMBER.password(), "INVITE", URI);
        assertInstanceOf(InboundChallenger.Verdict.Accept.class, c.check(invite(right), NUMBER, "10.0.0.1"),
                "another source is unaffected");
        assertTrue(counters.digestBlocked() == 1 && counters.digestWrong() == 5);
    }
}
