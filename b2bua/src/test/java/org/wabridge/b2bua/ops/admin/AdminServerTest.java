package org.wabridge.b2bua.ops.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.ops.CallScenarios;
import org.wabridge.b2bua.ops.MutableClock;
import org.wabridge.b2bua.ops.calllog.CallLogObserver;
import org.wabridge.config.AdminSettings;
import org.wabridge.config.CallLogSettings;

class AdminServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private AdminServer server;
    private CallLogObserver callLog;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (callLog != null) {
            callLog.close();
        }
    }

    private AdminServer start(String token, AtomicBoolean ready) throws Exception {
        callLog = CallLogObserver.open(new CallLogSettings(true, dir.resolve("calls.db").toString(), null,
                Duration.ofDays(30), 1000));
        CallScenarios.feedAll(callLog);
        callLog.flush().get(5, TimeUnit.SECONDS);
        server = AdminServer.start(new AdminSettings(true, "127.0.0.1", 0, token), ready::get, null, callLog,
                new MutableClock(CallScenarios.T0.plusSeconds(3600)));
        return server;
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(5));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIs503UntilReadyThen200() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        start(null, ready);
        HttpResponse<String> starting = get("/health", null);
        assertEquals(503, starting.statusCode());
        assertEquals("{\"status\":\"starting\"}\n", starting.body());
        ready.set(true);
        HttpResponse<String> up = get("/health", null);
        assertEquals(200, up.statusCode());
        assertEquals("{\"status\":\"ready\"}\n", up.body());
        assertTrue(up.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void tokenIsRequiredOnEveryPathWhenSet() throws Exception {
        start("0123456789abcdef0123", new AtomicBoolean(true));
        for (String path : new String[] {"/health", "/calls", "/calls/" + CallScenarios.COMPLETED, "/nothing"}) {
            HttpResponse<String> none = get(path, null);
            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), path);
            assertFalse(none.body().contains(CallScenarios.USER), "no call data without the token");
            assertEquals(401, get(path, "Bearer wrong-token").statusCode(), path);
            assertEquals(401, get(path, "0123456789abcdef0123").statusCode(), "the scheme is part of it: " + path);
        }
        assertEquals(200, get("/health", "Bearer 0123456789abcdef0123").statusCode());
        assertEquals(200, get("/calls", "Bearer 0123456789abcdef0123").statusCode());
    }

    @Test
    void callsListIsJsonNewestFirstWithFilters() throws Exception {
        start(null, new AtomicBoolean(true));
        HttpResponse<String> all = get("/calls", null);
        assertEquals(200, all.statusCode());
        String body = all.body();
        assertTrue(body.startsWith("{\"calls\":[{\"callId\":\"" + CallScenarios.MEDIA_TIMEOUT + "\""), body);
        assertTrue(body.indexOf(CallScenarios.CANCELLED) < body.indexOf(CallScenarios.FAILED), body);
        assertTrue(body.contains("\"waUser\":\"BSUID.7f3a\\\"quoted\\\"\""), "quotes escaped: " + body);
        assertFalse(body.contains("\"events\""), "lists carry no timelines");

        String failed = get("/calls?failed=true", null).body();
        assertTrue(failed.contains("\"causeId\":\"meta.403.no-permission\""), failed);
        assertTrue(failed.contains("\"outcome\":\"failed\",\"endedAt\""), failed);
        assertFalse(failed.contains(CallScenarios.CANCELLED), failed);
        assertFalse(failed.contains("\"callId\":\"" + CallScenarios.COMPLETED + "\""), failed);

        String recent = get("/calls?since=2026-11-25T10:03:00Z&limit=5", null).body();
        assertTrue(recent.contains(CallScenarios.MEDIA_TIMEOUT) && recent.contains(CallScenarios.CANCELLED), recent);
        assertFalse(recent.contains(CallScenarios.FAILED), recent);

        String one = get("/calls?limit=1", null).body();
        assertEquals(1, one.split("\"callId\"").length - 1, one);
    }

    @Test
    void oneCallHasItsFieldsMediaAndTimeline() throws Exception {
        start(null, new AtomicBoolean(true));
        HttpResponse<String> r = get("/calls/" + CallScenarios.COMPLETED, null);
        assertEquals(200, r.statusCode());
        String body = r.body();
        assertTrue(body.startsWith("{\"callId\":\"pbx-1@127.0.0.1\",\"startedAt\":\"2026-11-25T10:00:00Z\","
                + "\"direction\":\"outbound\",\"signaling\":\"SIP\",\"metaCallId\":\"" + CallScenarios.COMPLETED_WACID
                + "\",\"requestId\":null,\"businessNumber\":\"+15550100001\""), body);
        assertTrue(body.contains("\"finalCode\":200,\"finalPhrase\":\"OK\",\"causeId\":null,\"reason\":\"PBX hung up\","
                + "\"setupMs\":2500,\"durationMs\":62000"), body);
        assertTrue(body.contains("\"meta\":{\"packetsIn\":2990,\"bytesIn\":400000,\"packetsOut\":3100,\"bytesOut\":430000,"
                + "\"dropped\":5,\"authFailures\":3,\"longestGapMs\":140}"), body);
        assertTrue(body.contains("{\"at\":\"2026-11-25T10:00:00.080Z\",\"kind\":\"sip\",\"leg\":\"META\",\"direction\":\"in\","
                + "\"detail\":\"407 Proxy Authentication Required (INVITE)\"}"), body);
        assertTrue(body.contains("{\"at\":\"2026-11-25T10:00:00.081Z\",\"kind\":\"digest-challenge\",\"leg\":null,"
                + "\"direction\":null,\"detail\":\"407 realm wa.meta.vc answered\"}"), body);

        // Meta's call id works too; an id with '@' and ':' is URL-encoded by the client.
        assertEquals(200, get("/calls/" + CallScenarios.COMPLETED_WACID, null).statusCode());
        assertEquals(200, get("/calls/outgoing%3Awacid.HBgLMTU1NTAxMDAwMDk%40127.0.0.1", null).statusCode());
        HttpResponse<String> missing = get("/calls/nope", null);
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("no call with id 'nope'"), missing.body());
    }

    @Test
    void badParametersAndMethodsAreExplained() throws Exception {
        start(null, new AtomicBoolean(true));
        HttpResponse<String> since = get("/calls?since=yesterday", null);
        assertEquals(400, since.statusCode());
        assertTrue(since.body().contains("'yesterday' is not a time"), since.body());
        HttpResponse<String> limit = get("/calls?limit=0", null);
        assertEquals(400, limit.statusCode());
        assertTrue(limit.body().contains("limit=0 is not a whole number from 1 to 1000"), limit.body());
        assertEquals(404, get("/metrics", null).statusCode(), "no metrics source was given");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/calls"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void closeFreesThePort() throws Exception {
        start(null, new AtomicBoolean(true));
        int port = server.port();
        server.close();
        server = AdminServer.start(new AdminSettings(true, "127.0.0.1", port, null), () -> true, null, null);
        assertEquals(200, get("/health", null).statusCode());
        assertEquals(404, get("/calls", null).statusCode(), "no call log was given");
    }
}
