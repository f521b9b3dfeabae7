package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Java-only demo, in-process: one call each way through the bridge, sandbox edge and PBX stand-in. */
class SandboxDemoTest {

    @Test
    void placesOneCallEachWayAndPrintsLadderDigestMediaAndCallLog() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        SandboxDemo demo = new SandboxDemo(repoRoot(), null, Duration.ofSeconds(2), out);
        int rc = demo.run();
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, rc, text);
        assertTrue(demo.state != null && !java.nio.file.Files.exists(demo.state),
                "a passed demo leaves no call log, captures or keys behind: " + demo.state);
        // business-initiated: the sandbox challenged, the bridge answered, the call connected and ended
        assertTrue(text.contains("META <- 407 Proxy Authentication Required (INVITE)"), text);
        assertTrue(text.contains("META <- 200 OK (INVITE)"), text);
        assertTrue(text.contains("META <- 200 OK (BYE)"), text);
        // user-initiated: the bridge challenged the sandbox, whose ACK reached the bridge (Record-Route kept)
        assertTrue(text.contains("META -> 407 Proxy Authentication required (INVITE)"), text);
        assertTrue(text.contains("META <- ACK sip:+15550100001@"), text);
        assertTrue(text.contains("X-WA-Wacid=wacid."), text);
        // the PBX stand-in's digits reached the edge as RFC 4733 events through the bridge
        assertTrue(java.util.regex.Pattern.compile("business-initiated, Meta side: sent \\d+ SRTP, received \\d+ SRTP "
                + "\\([1-9]\\d* DTMF").matcher(text).find(), text);
        assertTrue(text.contains("EDGE digest accepted (MD5, username 15550100001)"), text);
        assertTrue(text.contains("EDGE answers the bridge's 407"), text);
    }

    @Test
    void withBothDigestChallengesTheBridgeAnswersSha256() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("SANDBOX_DIGEST", "both");
        int rc = new SandboxDemo(repoRoot(), null, Duration.ofSeconds(1), out, env).run();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("digest challenge SHA-256 + MD5"), text);
        assertTrue(text.contains("EDGE digest accepted (SHA-256, username 15550100001)"), text);
    }

    @Test
    void aNumberKeyedByDtlsRehearsesBothDirectionsWithIceAndDtls() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("SRTP_KEY_EXCHANGE", "DTLS"); // Meta's default keying, what a number gets unless set to SDES
        int rc = new SandboxDemo(repoRoot(), null, Duration.ofSeconds(2), out, env).run();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("EDGE media keyed by DTLS-SRTP"), text);
        // the sandbox's own DTLS server finished the handshake and authenticated the business's SRTP with its keys
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("EDGE media \\(Meta side\\): sent (\\d+) SRTP, "
                + "received (\\d+) SRTP \\((\\d+) DTMF, (\\d+) rejected[^;]*; DTLS connected in").matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Integer.parseInt(m.group(1)) > 20 && Integer.parseInt(m.group(2)) > 20,
                "audio both ways under DTLS keys: " + m.group());
        // the user-initiated call: the sandbox offered DTLS as Meta does for this number, the bridge answered active
        assertTrue(java.util.regex.Pattern.compile("user-initiated, Meta side: sent [1-9]\\d+ SRTP, received [1-9]\\d+ "
                + "SRTP \\([^)]*\\)[^;]*; DTLS connected in").matcher(text).find(), text);
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !p.resolve("sip-config/examples/lab.yaml").toFile().exists()) {
            p = p.getParent();
        }
        return p;
    }
}
