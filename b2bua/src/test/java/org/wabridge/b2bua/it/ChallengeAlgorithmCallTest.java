package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * meta.inboundChallengeAlgorithm against digest clients: SIPp (MD5 only: SIPp 3.6 refuses to answer a SHA-256
 * challenge, "authentication must use MD5") playing the WhatsApp side behind the Kamailio "Meta edge", and the
 * project's own DigestClient over a raw TLS connection for SHA-256 and both (it answers the first challenge, as
 * RFC 8760 asks of a client that supports it).
 */
class ChallengeAlgorithmCallTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void shareTheCallHarness() throws Exception {
        UserInitiatedCallTest.useDirectory(tmp);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MD5"})
    void sippAnswersTheChallengeAndTheCallConnects(String algorithm) throws Exception {
        try (UserInitiatedCallTest.Setup lab = new UserInitiatedCallTest.Setup(
                Map.of("inboundChallengeAlgorithm", algorithm))) {
            assertEquals(algorithm, lab.bridge.config.meta().inboundChallengeAlgorithm());
            int[] exits = lab.call("meta-uac-call.xml", "pbx-uas-answer-wa-headers.xml", 500, List.of());
            String log = lab.log.text();
            assertEquals(0, exits[1], "the WhatsApp side answered the " + algorithm + " challenge and got 200:\n" + log);
            assertEquals(0, exits[0], "the PBX got the call");
            assertTrue(log.contains("META -> 407"), log);
            lab.assertNoLeftovers();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHA-256", "both"})
    void theFirstChallengeAnsweredRightGetsTheCallIn(String algorithm) throws Exception {
        try (UserInitiatedCallTest.Setup lab = new UserInitiatedCallTest.Setup(
                Map.of("inboundChallengeAlgorithm", algorithm));
             javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) TortureCorpusTest.trustingEveryone()
                     .getSocketFactory().createSocket("127.0.0.1", lab.bridge.metaPort)) {
            tls.setSoTimeout(5000);
            java.io.InputStream in = tls.getInputStream();
            tls.getOutputStream().write(SipFloodTest.invite(0, 1, tls.getLocalPort(), null)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String challenge = SipFloodTest.readMessage(in);
            assertTrue(challenge.startsWith("SIP/2.0 407 "), challenge);
            List<String> offered = challenge.lines().filter(l -> l.startsWith("Proxy-Authenticate: "))
                    .map(l -> l.substring("Proxy-Authenticate: ".length())).toList();
            assertEquals("both".equals(algorithm) ? List.of("SHA-256", "MD5") : List.of("SHA-256"),
                    offered.stream().map(v -> org.wabridge.b2bua.digest.DigestChallenge.parse(v).orElseThrow()
                            .algorithm().token()).toList(), "the challenges in RFC 8760 order: " + challenge);
            String answer = new org.wabridge.b2bua.digest.DigestClient().answer(
                    org.wabridge.b2bua.digest.DigestChallenge.parse(offered.get(0)).orElseThrow(), "15550100001",
                    UserInitiatedCallTest.PASSWORD, "INVITE", MetaTlsUac.AUTH_URI);
            tls.getOutputStream().write(SipFloodTest.invite(0, 2, tls.getLocalPort(), answer)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String next = SipFloodTest.readMessage(in);
            assertTrue(!next.startsWith("SIP/2.0 407 ") && !next.startsWith("SIP/2.0 403 "),
                    "a right " + algorithm + " answer is accepted: " + next + "\n" + lab.log.text());
            assertTrue(!lab.log.text().contains("rejected with 403"), lab.log.text());
        }
    }
}
