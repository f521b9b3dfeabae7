package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;
import org.wabridge.sandbox.SandboxEdge;
import org.wabridge.sandbox.SandboxSettings;

/**
 * The sandbox edge's SDES media against an SRTP stack that is not the bridge's (baresip, libre's SRTP): the edge
 * places a user-initiated call to baresip playing the business, over UDP; each side must decrypt the other.
 */
class SandboxBaresipTest {

    @TempDir
    Path tmp;

    @Test
    void sandboxAndBaresipDecryptEachOthersSrtp() throws Exception {
        Lab.requireTool("baresip");
        Path yaml = Lab.repoRoot().resolve("sip-config/examples/lab.yaml");
        Map<String, String> env = Map.of("META_EDGE", "sip:wa.meta.vc:" + Lab.freePort() + ";transport=tls",
                "META_TLS_TRUST", tmp.resolve("certs/edge-ca.pem").toString());
        BridgeConfig cfg = ConfigLoader.load(yaml, env);
        Map<String, Object> section = new HashMap<>(ConfigLoader.loadSandbox(yaml, env));
        SandboxSettings settings = SandboxSettings.of(cfg, section).withUdpPort(Lab.freePort());
        List<String> notes = new CopyOnWriteArrayList<>();
        int sipPort = Lab.freePortRange(2);
        Path wav = FullStackMediaTest.writeToneWav(tmp.resolve("tone.wav"), 440, 48000, 2, 20);
        try (SandboxEdge edge = SandboxEdge.start(settings, notes::add);
             FullStackMediaTest.Baresip business = new FullStackMediaTest.Baresip(tmp.resolve("baresip"), sipPort, wav,
                     Map.of("WA_USER", "+15550100001"))) {
            SandboxEdge.CallResult r;
            try {
                r = edge.callBusiness("+15550100001", Duration.ofSeconds(3), "127.0.0.1", sipPort, "udp")
                        .get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the call did not end within 30 s\nedge: " + notes + "\n--- baresip log:\n"
                        + business.log(), e);
            }
            Thread.sleep(500); // baresip's end-of-call report
            String log = business.log();
            String peers = "\nedge: " + notes + "\n--- baresip log:\n" + log;
            assertEquals(200, r.finalStatus(), peers);
            // the edge authenticated baresip's SRTP, and waited for it before talking (the business sends first)
            assertTrue(r.media().received() > 50, r.media() + peers);
            // no audio packet and no authentication refused; baresip's last RTCP, sent unprotected after it dropped
            // its keys at hang-up, is told apart as PLAIN RTCP (it showed as INVALID or AUTH_FAILURE before)
            assertTrue(!r.media().rejectedWhy().contains(" RTP") && !r.media().rejectedWhy().contains("AUTH_FAILURE"),
                    r.media() + peers);
            assertTrue(r.media().maidenAfterMillis() >= 0, r.media() + peers);
            assertTrue(r.media().sent() > 50, r.media() + peers);
            // baresip decrypted the edge's SRTP
            assertTrue(log.contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), peers);
            int[] packets = FullStackMediaTest.baresipCounts(log, "packets:");
            int[] errors = FullStackMediaTest.baresipCounts(log, "errors:");
            assertTrue(packets[1] > 50, "baresip received " + packets[1] + " packets" + peers);
            assertEquals(0, errors[1], peers);
            assertTrue(!log.contains("failed to decrypt"), peers);
        }
    }
}
