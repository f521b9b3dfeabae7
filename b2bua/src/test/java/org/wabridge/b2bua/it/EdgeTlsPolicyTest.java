package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * The bridge's TLS policy on its outbound connection to Meta's edge, against {@code openssl s_server} standing in
 * for the edge: one that accepts only a CBC suite, or only TLS 1.1, gets no connection, and the PBX's call ends at
 * once with a defined answer (502 with a Q.850 Reason, cause {@code local.tls-verify-failed}, saying why). An
 * edge with a modern configuration (the control) gets the bridge's TLS connection.
 */
class EdgeTlsPolicyTest {

    @TempDir
    static Path tmp;
    static Path certs;

    @BeforeAll
    static void certs() throws Exception {
        Lab.requireTool("openssl");
        Lab.requireTool("sipp");
        certs = Lab.certs(tmp.resolve("certs"));
    }

    @Test
    @Timeout(90)
    void anEdgeThatOffersOnlyACbcSuiteFailsTheCallWithADefinedAnswer() throws Exception {
        callAgainst(List.of("-tls1_2", "-cipher", "AES128-SHA"));
    }

    @Test
    @Timeout(90)
    void anEdgeThatSpeaksOnlyTls11FailsTheCallWithADefinedAnswer() throws Exception {
        // SECLEVEL=0 so the local OpenSSL serves TLS 1.1 at all: the refusal must be the bridge's
        callAgainst(List.of("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"));
    }

    @Test
    @Timeout(90)
    void aModernEdgeGetsTheBridgesConnection() throws Exception {
        try (SServer edge = SServer.start(List.of())) {
            BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
            try (LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
                 BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.port, "pw", Map.of(), relay)) {
                // the bridge opens its connection to the edge at start (preconnect): the handshake completes
                assertTrue(edge.waitFor("CIPHER is TLS_AES", 20), edge.output());
                assertTrue(log.text().contains("open to wa.meta.vc"), log.text());

                // the edge goes away: JAIN-SIP's reader sees the end, which once made it answer a fake keep-alive
                // ping with a new connection to the edge and ERRORs in the log
                int before = log.lines().size();
                edge.close();
                Thread.sleep(2000);
                java.util.List<String> after = log.lines().subList(before, log.lines().size());
                assertTrue(after.stream().noneMatch(l -> l.startsWith("ERROR")), String.join("\n", after));
            }
        }
    }

    private void callAgainst(List<String> serverOptions) throws Exception {
        try (SServer edge = SServer.start(serverOptions)) {
            BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
            try (LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
                 BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.port, "pw", Map.of(), relay)) {
                Path work = Files.createDirectories(tmp.resolve("pbx-" + System.nanoTime()));
                try (Lab.Sipp pbx = Lab.Sipp.start(work, "pbx", List.of("127.0.0.1:" + bridge.pbxPort,
                        "-sf", Lab.scenario("pbx-uac-fail-502.xml").toString(), "-p", "" + Lab.freePort(),
                        "-t", "u1", "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1",
                        "-timeout", "40s", "-timeout_error"))) {
                    int exit = pbx.await(45);
                    assertEquals(0, exit, "the PBX must get 502 with a Q.850 Reason\n" + pbx.output() + "\n"
                            + log.text());
                }
                String text = log.text();
                assertTrue(text.contains("local.tls-verify-failed"), text);
                assertTrue(text.contains("the edge offers no TLS version or cipher suite the bridge accepts"), text);
                assertTrue(!edge.output().contains("INVITE"), "no INVITE may reach an edge below the policy");
                BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
            }
        }
    }

    /** {@code openssl s_server} on a free loopback port with the lab edge's certificate (wa.meta.vc). */
    static final class SServer implements AutoCloseable {
        final int port = Lab.freePort();
        final Process process;
        final Path out;

        private SServer(List<String> options) throws Exception {
            out = Files.createTempFile(tmp, "s_server", ".txt");
            List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                    "-cert", certs.resolve("edge.pem").toString(), "-key", certs.resolve("edge.key").toString()));
            cmd.addAll(options);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        }

        static SServer start(List<String> options) throws Exception {
            SServer s = new SServer(options);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!s.output().contains("ACCEPT")) {
                if (System.nanoTime() > deadline || !s.process.isAlive()) {
                    s.close();
                    throw new AssertionError("openssl s_server did not start:\n" + s.output());
                }
                Thread.sleep(50);
            }
            return s;
        }

        String output() {
            try {
                return Files.readString(out);
            } catch (Exception e) {
                return "(unreadable: " + e + ")";
            }
        }

        boolean waitFor(String text, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!output().contains(text)) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(50);
            }
            return true;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
