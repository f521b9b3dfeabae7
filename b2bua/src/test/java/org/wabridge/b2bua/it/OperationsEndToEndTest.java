package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.cli.Main;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.b2bua.ops.Operations;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;
import picocli.CommandLine;

/**
 * What an admin operates with, fed by real calls: a completed, a refused (Meta's 403 "No Approved Call
 * Permission Found") and a cancelled business-initiated call through the Kamailio edge; then the call log through
 * its API, the admin HTTP JSON and `bridge calls`, the Prometheus scrape, and the database after a restart.
 */
class OperationsEndToEndTest {

    static final String PASSWORD = "lab-secret";

    @TempDir
    Path tmp;

    @Test
    void realCallsReachTheCallLogTheAdminApiTheCliAndTheMetrics() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        Path db = tmp.resolve("calls.db");
        int adminPort = Lab.freePort();
        String extra = "callLog: {file: \"" + db + "\"}\nadmin: {host: 127.0.0.1, port: " + adminPort + "}";
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        AtomicReference<Operations> ops = new AtomicReference<>();
        Path captureDir = tmp.resolve("captures");
        CallCaptures captures = new CallCaptures(CallCaptures.Mode.OFF, captureDir, 10_000_000);
        String completedId;
        try (Lab.Edge edge = new Lab.Edge(tmp.resolve("edge"), certs, PASSWORD, "MD5", "edge");
             MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.tlsPort, PASSWORD, Map.of("extraYaml", extra),
                     relay, captures, cfg -> {
                         ops.set(Operations.start(cfg, () -> 0, () -> true, captures::captureNext));
                         return ops.get().observer();
                     })) {
            try {
                // capture.mode is off: an admin asks the running bridge for the next call, as in a support case
                Path bridgeYaml = tmp.resolve("running.yaml");
                Files.writeString(bridgeYaml, bridge.yaml);
                assertEquals(0, new CommandLine(new Main()).execute("capture", "--calls", "1", "-c", bridgeYaml.toString()));
                assertEquals(0, BusinessInitiatedCallTest.call(bridge, edge, "meta-uas-answer.xml", "pbx-uac-call.xml",
                        "u1", List.of())[0], "completed call");
                int noPermission = CauseCatalog.builtIn().matchSip(403, "No Approved Call Permission Found", null)
                        .pbxAnswer().sipCode();
                assertEquals(0, BusinessInitiatedCallTest.call(bridge, edge, "meta-uas-fail-403-no-call-permission.xml",
                        "pbx-uac-fail-" + noPermission + ".xml", "u1", List.of())[0], "refused call");
                assertEquals(0, BusinessInitiatedCallTest.call(bridge, edge, "meta-uas-ring.xml", "pbx-uac-cancel.xml",
                        "u1", List.of())[0], "cancelled call");
                BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);

                var log = ops.get().callLog().orElseThrow();
                log.flush().get(5, TimeUnit.SECONDS); // the ends of the last calls are queued
                List<CallRecord> calls = log.calls(new CallQuery(null, false, 10));
                assertEquals(3, calls.size(), "three calls logged: " + calls);
                CallRecord completed = calls.stream().filter(c -> c.outcome() == CallOutcome.CONNECTED).findFirst()
                        .orElseThrow(() -> new AssertionError("no connected call in " + calls));
                completedId = completed.callId();
                assertEquals("+15550100001", completed.businessNumber());
                assertEquals("+15550100099", completed.waUser());
                assertTrue(completed.requestId() != null && !completed.requestId().equals(completed.callId()),
                        "request id = our Call-ID toward Meta: " + completed.requestId());
                List<?> timeline = log.call(completed.callId()).orElseThrow().events();
                assertTrue(timeline.stream().anyMatch(e -> e.toString().contains("407")),
                        "the timeline holds Meta's challenge: " + timeline);
                assertTrue(completed.media().meta().packetsOut() > 0, "media counters recorded");
                CallRecord refused = calls.stream().filter(c -> "meta.403.no-permission".equals(c.causeId())).findFirst()
                        .orElseThrow(() -> new AssertionError("no refused call with its cause in " + calls));
                assertEquals(noPermission, refused.finalCode());
                assertTrue(calls.stream().anyMatch(c -> c.outcome() == CallOutcome.CANCELLED),
                        "a cancelled call: " + calls);

                HttpClient http = HttpClient.newHttpClient();
                String json = get(http, adminPort, "/calls");
                for (CallRecord c : calls) {
                    assertTrue(json.contains(c.callId()), "HTTP /calls lists " + c.callId() + ": " + json);
                }
                assertTrue(get(http, adminPort, "/calls/" + refused.callId()).contains("meta.403.no-permission"));
                String metrics = get(http, adminPort, "/metrics");
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("wabridge_calls_total") && l.contains("connected")
                        && l.endsWith(" 1.0")), "Prometheus: one connected call\n" + metrics);
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("wabridge_digest_challenges_total")
                        && !l.endsWith(" 0.0")), "Prometheus: digest challenges\n" + metrics);
                assertEquals("200", get(http, adminPort, "/health", true));
                assertEquals("405", get(http, adminPort, "/capture", true), "capture is a POST");

                List<Path> pcaps;
                try (var files = Files.list(captureDir)) {
                    pcaps = files.toList();
                }
                assertEquals(1, pcaps.size(), "only the one call asked for is captured: " + pcaps);
                assertTrue(pcaps.get(0).getFileName().toString().contains(completedId.replaceAll("[^A-Za-z0-9._@-]", "_")),
                        "the first call after the request: " + pcaps);
            } finally {
                if (ops.get() != null) {
                    ops.get().close();
                }
            }
        }

        // The bridge is gone; the log is read from disk by the CLI, as an admin would.
        Path config = tmp.resolve("bridge.yaml");
        Files.writeString(config, "callLog: {file: \"" + db + "\"}\n");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new Main()).execute("calls", "-c", config.toString());
        } finally {
            System.setOut(saved);
        }
        String table = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, table);
        assertTrue(table.contains(completedId) && table.contains("meta.403.no-permission"),
                "the database survived the stop and the CLI reads it:\n" + table);
    }

    private static String get(HttpClient http, int port, String path) throws Exception {
        return get(http, port, path, false);
    }

    private static String get(HttpClient http, int port, String path, boolean statusOnly) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (statusOnly) {
            return String.valueOf(r.statusCode());
        }
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }
}
