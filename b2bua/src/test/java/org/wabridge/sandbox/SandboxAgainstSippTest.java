package org.wabridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.it.Lab;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;

/**
 * The sandbox edge checked against a peer that is not this project: SIPp, with the scenarios written for the
 * Kamailio lab edge (SIPp playing the bridge: digest answered by SIPp's own [authentication]) and a SIPp UAS
 * that receives the sandbox's user-initiated call and verifies its digest with SIPp's verifyauth.
 */
class SandboxAgainstSippTest {

    @TempDir
    Path dir;

    private SandboxEdge edge;
    private SandboxSettings settings;
    private final List<String> notes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startEdge() throws Exception {
        Lab.requireTool("sipp");
        Path yaml = Lab.repoRoot().resolve("sip-config/examples/lab.yaml");
        Map<String, String> env = Map.of("META_EDGE", "sip:wa.meta.vc:" + Lab.freePort() + ";transport=tls",
                "META_TLS_TRUST", dir.resolve("certs/edge-ca.pem").toString());
        BridgeConfig cfg = ConfigLoader.load(yaml, env);
        Map<String, Object> section = new HashMap<>(ConfigLoader.loadSandbox(yaml, env));
        section.put("noMediaAtStart", "2s");
        section.put("ringTime", "200ms");
        section.put("noAnswerAfter", "5s");
        settings = SandboxSettings.of(cfg, section).withUdpPort(Lab.freePort());
        edge = SandboxEdge.start(settings, notes::add);
    }

    @AfterEach
    void stopEdge() {
        if (edge != null) {
            edge.close();
        }
    }

    private Lab.Sipp uac(String scenario, String name, String password) throws Exception {
        return uac(scenario, name, password, "+15550100099");
    }

    private Lab.Sipp uac(String scenario, String name, String password, String user) throws Exception {
        return Lab.Sipp.start(dir, name, List.of("127.0.0.1:" + settings.udpPort(), "-sf",
                Lab.scenario(scenario).toString(), "-p", "" + Lab.freePort(), "-s", user,
                "-au", "15550100001", "-ap", password, "-auth_uri", user + "@wa.meta.vc",
                "-d", "500", "-m", "1", "-timeout", "30s", "-timeout_error"));
    }

    @Test
    void sippAnswersThe407AndCompletesACall() throws Exception {
        try (Lab.Sipp sipp = uac("bridge-uac-call.xml", "call", "lab-secret")) {
            assertEquals(0, sipp.await(40), sipp.output() + "\nedge: " + notes);
        }
        assertTrue(notes.stream().anyMatch(n -> n.contains("digest accepted (MD5, username 15550100001)")),
                notes.toString());
    }

    @Test
    void wrongPasswordGets403InvalidDigestWithMetasWarning() throws Exception {
        try (Lab.Sipp sipp = uac("bridge-uac-auth-rejected.xml", "rejected", "wrong-password")) {
            assertEquals(0, sipp.await(40), sipp.output() + "\nedge: " + notes);
        }
    }

    @Test
    void ipAddressInTheRequestUriGets404BeforeAnyChallenge() throws Exception {
        try (Lab.Sipp sipp = uac("bridge-uac-ip-uri.xml", "ip-uri", "lab-secret")) {
            assertEquals(0, sipp.await(40), sipp.output() + "\nedge: " + notes);
        }
    }

    @Test
    void cancelWhileTheUserRingsGets200And487() throws Exception {
        // +15550100480 never answers (lab.yaml users table): it rings until SIPp cancels
        try (Lab.Sipp sipp = uac("bridge-uac-cancel.xml", "cancel", "lab-secret", "+15550100480")) {
            assertEquals(0, sipp.await(40), sipp.output() + "\nedge: " + notes);
        }
        assertTrue(notes.stream().anyMatch(n -> n.contains("487 Request Terminated")), notes.toString());
    }

    @Test
    void aBusinessThatSendsNoMediaIsHungUpByTheEdge() throws Exception {
        // SIPp sends no SRTP: the edge's start-of-call rule (2 s here, Meta's 20 s) ends the call with BYE
        try (Lab.Sipp sipp = uac("bridge-uac-wait-bye.xml", "no-media", "lab-secret")) {
            assertEquals(0, sipp.await(40), sipp.output() + "\nedge: " + notes);
        }
        assertTrue(notes.stream().anyMatch(n -> n.contains("no media from the business for 2 s")), notes.toString());
    }

    @Test
    void userInitiatedCallHasMetasShapeAndAnswersTheChallengeOfSippUas() throws Exception {
        int port = Lab.freePort();
        try (Lab.Sipp uas = Lab.Sipp.start(dir, "uas", List.of("-sf",
                Lab.scenario("sandbox-uas-auth-answer.xml").toString(), "-p", "" + port, "-m", "1",
                "-timeout", "30s", "-timeout_error"))) {
            Thread.sleep(300); // SIPp binds its socket
            SandboxEdge.CallResult result = edge.callBusiness("+15550100001", Duration.ofSeconds(1), "127.0.0.1",
                    port, "udp").get(30, TimeUnit.SECONDS);
            assertEquals(0, uas.await(30), uas.output() + "\nedge: " + notes);
            assertEquals(200, result.finalStatus(), notes.toString());
            assertTrue(result.challenged());
            assertTrue(result.callId().startsWith("outgoing:wacid."), result.callId());
        }
    }
}
