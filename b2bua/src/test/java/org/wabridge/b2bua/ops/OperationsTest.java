package org.wabridge.b2bua.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;

/** The pieces started together from a configuration, as the bridge's run command does. */
class OperationsTest {

    @TempDir
    Path dir;

    private BridgeConfig config(String adminAndLog) throws Exception {
        return ConfigLoader.parse("""
                pbx:
                  allowedSources: ["127.0.0.1/32"]
                meta:
                  sipServerHostname: sip.example.test
                  numbers: [{number: "+15550100001", password: pw}]
                """ + adminAndLog, "test.yaml", Map.of());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void oneObserverFeedsTheCallLogAndTheMetricsServedByTheAdminApi() throws Exception {
        Path db = dir.resolve("calls.db");
        BridgeConfig cfg = config("admin: {port: 0}\ncallLog: {file: \"" + db + "\"}\n");
        try (Operations ops = Operations.start(cfg, () -> 2, () -> true)) {
            CallScenarios.feedAll(ops.observer());
            ops.callLog().orElseThrow().flush().get(5, TimeUnit.SECONDS);
            int port = ops.admin().orElseThrow().port();

            assertEquals(200, get(port, "/health").statusCode());
            String calls = get(port, "/calls").body();
            assertTrue(calls.contains(CallScenarios.COMPLETED) && calls.contains(CallScenarios.FAILED), calls);
            String metrics = get(port, "/metrics").body();
            assertTrue(metrics.contains("wabridge_calls_total{cause=\"meta.403.no-permission\",direction=\"outbound\","
                    + "outcome=\"failed\"} 1"), metrics);
            assertTrue(metrics.contains("wabridge_calllog_writes_lost_total{why=\"queue-full\"} 0"), metrics);
            assertTrue(metrics.contains("wabridge_calls_active 2"), metrics);
        }
        // Closed: the queued writes are in the file, and the port is free again.
        try (CallLogStore store = CallLogStore.openExisting(config("callLog: {file: \"" + db + "\"}\n").callLog())) {
            assertEquals(CallOutcome.CANCELLED, store.call(CallScenarios.CANCELLED).orElseThrow().outcome());
        }
    }

    @Test
    void disabledPiecesAreNotStarted() throws Exception {
        BridgeConfig cfg = config("admin: {enabled: false}\ncallLog: {enabled: false, file: \"" + dir.resolve("x.db") + "\"}\n");
        try (Operations ops = Operations.start(cfg, () -> 0, () -> true)) {
            assertTrue(ops.admin().isEmpty());
            assertTrue(ops.callLog().isEmpty());
            CallScenarios.feedAll(ops.observer());
            assertTrue(ops.metrics().scrape().contains("wabridge_calls_started_total{direction=\"inbound\"} 1"));
        }
        assertFalse(Files.exists(dir.resolve("x.db")));
    }

    @Test
    void aBusyAdminPortIsExplainedAndNothingIsLeftOpen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            BridgeConfig cfg = config("admin: {port: " + taken.getLocalPort() + "}\ncallLog: {file: \""
                    + dir.resolve("calls.db") + "\"}\n");
            IOException e = assertThrows(IOException.class, () -> Operations.start(cfg, () -> 0, () -> true));
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " for the admin API"), e.getMessage());
            assertTrue(e.getMessage().contains("change admin.port"), e.getMessage());
        }
    }

    @Test
    void aFailingObserverDoesNotStopTheOthers() {
        List<String> seen = new ArrayList<>();
        CallObserver broken = new CallObserver() {
            @Override
            public void callStarted(CallStart start) {
                throw new IllegalStateException("broken on purpose");
            }
        };
        CallObserver recording = new CallObserver() {
            @Override
            public void callStarted(CallStart start) {
                seen.add("start " + start.callId());
            }

            @Override
            public void sipMessage(SipMessageEvent message) {
                seen.add("sip " + message.firstLine());
            }
        };
        FanOutObserver fanOut = new FanOutObserver(List.of(broken, recording));
        CallScenarios.failed(fanOut, CallScenarios.T0);
        assertEquals("start " + CallScenarios.FAILED, seen.get(0));
        assertEquals(4, seen.size(), seen.toString());
        assertEquals(1, fanOut.failures());
    }
}
