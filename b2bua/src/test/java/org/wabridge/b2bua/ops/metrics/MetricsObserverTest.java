package org.wabridge.b2bua.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.ops.CallScenarios;
import org.wabridge.b2bua.ops.admin.AdminServer;
import org.wabridge.config.AdminSettings;

class MetricsObserverTest {

    private static Map<String, Double> scrapeOverHttp(MetricsObserver metrics) throws Exception {
        try (AdminServer server = AdminServer.start(new AdminSettings(true, "127.0.0.1", 0, "metrics-token-0123456"),
                () -> true, metrics, null)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                            .header("Authorization", "Bearer metrics-token-0123456")
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(MetricsObserver.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            return PrometheusText.parse(r.body());
        }
    }

    private static void assertSample(Map<String, Double> samples, double expected, String name, String... labels) {
        Map<String, String> l = new java.util.TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        String key = PrometheusText.key(name, l);
        Double actual = samples.get(key);
        if (actual == null) {
            StringBuilder similar = new StringBuilder();
            samples.keySet().stream().filter(k -> k.startsWith(name)).forEach(k -> similar.append("\n  ").append(k));
            throw new AssertionError("no series " + key + "; series named like it:" + similar);
        }
        assertEquals(expected, actual, 1e-9, key);
    }

    @Test
    void reusedDigestAnswersAreCountedSentAndRefused() throws Exception {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        java.time.Instant t = java.time.Instant.parse("2026-12-04T10:00:00Z");
        for (String kind : List.of("digest-reused", "digest-reused", "digest-reuse-refused", "digest-challenge")) {
            metrics.callEvent(new org.wabridge.b2bua.events.CallEvent("c", t, kind, "407 realm wa.meta.vc"));
        }
        Map<String, Double> s = scrapeOverHttp(metrics);
        assertSample(s, 2, "wabridge_digest_reused_total", "result", "sent");
        assertSample(s, 1, "wabridge_digest_reused_total", "result", "refused");
        assertSample(s, 1, "wabridge_digest_challenges_total");
    }

    @Test
    void scrapeShowsCallsSipMediaAndJvmSeries() throws Exception {
        AtomicInteger active = new AtomicInteger(3);
        MetricsObserver metrics = new MetricsObserver(active::get);
        CallScenarios.feedAll(metrics);
        Map<String, Double> s = scrapeOverHttp(metrics);

        assertSample(s, 1, "wabridge_calls_total", "direction", "outbound", "outcome", "connected", "cause", "none");
        assertSample(s, 1, "wabridge_calls_total", "direction", "outbound", "outcome", "failed", "cause", "meta.403.no-permission");
        assertSample(s, 1, "wabridge_calls_total", "direction", "inbound", "outcome", "cancelled", "cause", "none");
        assertSample(s, 1, "wabridge_calls_total", "direction", "outbound", "outcome", "connected",
                "cause", "local.media-timeout-meta");
        assertSample(s, 3, "wabridge_calls_started_total", "direction", "outbound");
        assertSample(s, 1, "wabridge_calls_started_total", "direction", "inbound");
        assertSample(s, 3, "wabridge_calls_active");

        // Setup times 2.5 s and 1.2 s: one in the 2 s bucket, both in the 3 s bucket.
        assertSample(s, 2, "wabridge_call_setup_seconds_count");
        assertSample(s, 3.7, "wabridge_call_setup_seconds_sum");
        assertSample(s, 0, "wabridge_call_setup_seconds_bucket", "le", "1.0");
        assertSample(s, 1, "wabridge_call_setup_seconds_bucket", "le", "2.0");
        assertSample(s, 2, "wabridge_call_setup_seconds_bucket", "le", "3.0");
        assertSample(s, 2, "wabridge_call_setup_seconds_bucket", "le", "+Inf");

        assertSample(s, 1, "wabridge_digest_challenges_total");
        assertSample(s, 1, "wabridge_sip_messages_total", "leg", "meta", "direction", "in", "method", "INVITE", "status", "407");
        assertSample(s, 2, "wabridge_sip_messages_total", "leg", "meta", "direction", "out", "method", "INVITE", "status", "request");
        assertSample(s, 1, "wabridge_sip_messages_total", "leg", "pbx", "direction", "in", "method", "BYE", "status", "request");
        assertSample(s, 1, "wabridge_sip_messages_total", "leg", "meta", "direction", "in", "method", "INVITE", "status", "403");

        // Media counters: the completed call plus the media-timeout call (the others carry zeros).
        assertSample(s, 2990 + 10, "wabridge_relay_packets_total", "leg", "meta", "direction", "in");
        assertSample(s, 3050 + 100, "wabridge_relay_packets_total", "leg", "pbx", "direction", "out");
        assertSample(s, 430_000 + 30_000, "wabridge_relay_bytes_total", "leg", "meta", "direction", "out");
        assertSample(s, 5, "wabridge_relay_dropped_total", "leg", "meta");
        assertSample(s, 3, "wabridge_relay_auth_failures_total", "leg", "meta");
        assertSample(s, 0, "wabridge_relay_auth_failures_total", "leg", "pbx");
        assertSample(s, 1, "wabridge_media_timeouts_total", "leg", "meta", "detected_by", "bridge");

        assertTrue(s.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "JVM memory");
        assertTrue(s.containsKey("jvm_threads_live_threads"), "JVM threads");
        assertTrue(s.containsKey("system_cpu_count"), "processor");

        active.set(0);
        assertSample(scrapeOverHttp(metrics), 0, "wabridge_calls_active");
    }

    @Test
    void aMetaLegFailureCountsUnderItsCauseNotAsAMediaTimeout() {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        CallScenarios.metaLegFailed(metrics, CallScenarios.T0);
        Map<String, Double> s = PrometheusText.parse(metrics.scrape());
        assertSample(s, 1, "wabridge_calls_total", "direction", "outbound", "outcome", "connected",
                "cause", "local.ice-consent-lost");
        assertTrue(s.keySet().stream().noneMatch(k -> k.startsWith("wabridge_media_timeouts_total")), s.keySet().toString());
    }

    @Test
    void theTranscodingBudgetIsReadAtEachScrape() throws Exception {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        java.util.concurrent.atomic.AtomicInteger transcoding = new java.util.concurrent.atomic.AtomicInteger(3);
        metrics.watchTranscoding(transcoding::get, 20);
        assertSample(scrapeOverHttp(metrics), 3, "wabridge_calls_transcoded");
        assertSample(scrapeOverHttp(metrics), 20, "wabridge_transcoding_slots");
        transcoding.set(0);
        assertSample(scrapeOverHttp(metrics), 0, "wabridge_calls_transcoded");
    }

    @Test
    void theSharedPortsUnmatchedPacketsAreReadAtEachScrape() throws Exception {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        java.util.concurrent.atomic.AtomicLong unmatched = new java.util.concurrent.atomic.AtomicLong(0);
        metrics.watchSharedPorts(unmatched::get); // a supplier nothing else holds, as the CLI's method reference
        System.gc(); // Micrometer holds a function counter's object weakly: the series must outlive a collection
        assertSample(scrapeOverHttp(metrics), 0, "wabridge_media_unmatched_packets_total");
        unmatched.set(7);
        assertSample(scrapeOverHttp(metrics), 7, "wabridge_media_unmatched_packets_total");
    }

    @Test
    void theRelaysUnsentPacketsAreReadAtEachScrape() throws Exception {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        java.util.concurrent.atomic.AtomicLong unsent = new java.util.concurrent.atomic.AtomicLong(0);
        metrics.watchUnsentPackets(unsent::get);
        System.gc();
        assertSample(scrapeOverHttp(metrics), 0, "wabridge_media_unsent_packets_total");
        unsent.set(3);
        assertSample(scrapeOverHttp(metrics), 3, "wabridge_media_unsent_packets_total");
    }

    @Test
    void withoutASupplierActiveCallsAreThoseStartedAndNotEnded() throws Exception {
        MetricsObserver metrics = new MetricsObserver();
        CallScenarios.feedAll(metrics);
        assertSample(scrapeOverHttp(metrics), 0, "wabridge_calls_active");
        metrics.callStarted(new org.wabridge.b2bua.events.CallStart("live-1", org.wabridge.b2bua.events.Direction.USER_INITIATED,
                CallScenarios.BUSINESS, CallScenarios.USER, CallScenarios.T0));
        assertSample(scrapeOverHttp(metrics), 1, "wabridge_calls_active");
    }

    @Test
    void theActiveCallsGaugeSurvivesGarbageCollection() throws Exception {
        MetricsObserver metrics = new MetricsObserver();
        metrics.callStarted(new org.wabridge.b2bua.events.CallStart("live-1", org.wabridge.b2bua.events.Direction.USER_INITIATED,
                CallScenarios.BUSINESS, CallScenarios.USER, CallScenarios.T0));
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertSample(scrapeOverHttp(metrics), 1, "wabridge_calls_active");
    }

    @Test
    void unknownMethodsShareOneLabelValue() throws Exception {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        for (String method : new String[] {"FOO", "BAR", "PUBLISH"}) {
            metrics.sipMessage(new org.wabridge.b2bua.events.SipMessageEvent("c1", CallScenarios.T0, "PBX", false,
                    method, 0, method + " sip:x@127.0.0.1"));
        }
        Map<String, Double> s = scrapeOverHttp(metrics);
        assertSample(s, 3, "wabridge_sip_messages_total", "leg", "pbx", "direction", "in", "method", "other", "status", "request");
        assertTrue(s.keySet().stream().noneMatch(k -> k.contains("FOO")), s.keySet().toString());
    }

    @Test
    void callLogLossesAreExposed() throws Exception {
        MetricsObserver metrics = new MetricsObserver(() -> 0);
        AtomicInteger dropped = new AtomicInteger(7);
        metrics.watchCallLog(dropped, d -> d.get(), d -> 2);
        Map<String, Double> s = scrapeOverHttp(metrics);
        assertSample(s, 7, "wabridge_calllog_writes_lost_total", "why", "queue-full");
        assertSample(s, 2, "wabridge_calllog_writes_lost_total", "why", "database-error");
    }
}
