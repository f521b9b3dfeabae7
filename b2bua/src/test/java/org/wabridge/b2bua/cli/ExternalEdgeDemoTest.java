package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.it.Lab;

/** {@code scripts/demo --meta-edge HOST:PORT}: the Java demo's business-initiated call through the Kamailio lab edge. */
class ExternalEdgeDemoTest {

    @TempDir
    Path tmp;

    @Test
    void metaEdgeOptionPlacesTheCallThroughAnExternalEdge() throws Exception {
        Lab.requireTool("kamailio");
        Path certs = Lab.certs(tmp.resolve("certs"));
        try (Lab.Edge edge = new Lab.Edge(tmp.resolve("edge"), certs, "lab-secret", "MD5", "edge");
             Lab.Sipp user = Lab.Sipp.start(tmp, "user", List.of("-sf", Lab.scenario("meta-uas-answer.xml").toString(),
                     "-p", "" + edge.uasPort, "-mp", "" + Lab.freePort(), "-m", "1", "-timeout", "40s",
                     "-timeout_error"))) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("META_TLS_TRUST", certs.resolve("edge-ca.pem").toString());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int rc = new SandboxDemo(SandboxDemoTest.repoRoot(), "127.0.0.1:" + edge.tlsPort, Duration.ofSeconds(1),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8), env).run();
            String text = bytes.toString(StandardCharsets.UTF_8) + "\n--- edge log:\n" + edge.log();
            assertEquals(0, rc, text);
            assertEquals(0, user.await(20), user.output() + text);
            assertTrue(text.contains("META <- 407 Proxy Authentication Required (INVITE)"), text);
            assertTrue(text.contains("META = edge at 127.0.0.1:" + edge.tlsPort), text);
            assertTrue(!text.contains("SIP ladder of call 2"), "only the business-initiated call" + text);
        }
    }
}
