package org.wabridge.b2bua.ops.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.ops.calllog.CallLogException;
import org.wabridge.b2bua.ops.calllog.CallLogReader;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.b2bua.ops.calllog.Since;
import org.wabridge.b2bua.ops.metrics.MetricsObserver;
import org.wabridge.config.AdminSettings;

/**
 * The admin HTTP API on the JDK's HttpServer: {@code GET /health}, {@code /metrics}, {@code /calls},
 * {@code /calls/{id}}. Served by a small fixed pool; {@link #close()} stops it.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int THREADS = 2;
    private static final String JSON = "application/json; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService pool;
    private final BooleanSupplier ready;
    private final MetricsObserver metrics;
    private final CallLogReader callLog;
    private final byte[] expectedAuthorization;
    private final Clock clock;
    /** Serves POST /capture; null when captures are not wired in. */
    private final IntConsumer captureNext;

    private AdminServer(HttpServer server, ExecutorService pool, AdminSettings settings, BooleanSupplier ready,
                        MetricsObserver metrics, CallLogReader callLog, IntConsumer captureNext, Clock clock) {
        this.server = server;
        this.captureNext = captureNext;
        this.pool = pool;
        this.ready = ready;
        this.metrics = metrics;
        this.callLog = callLog;
        this.clock = clock;
        this.expectedAuthorization = settings.token() == null ? null
                : ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Binds {@code settings.host():settings.port()} (port 0 picks a free one) and starts serving.
     *
     * @param ready    true once the bridge takes calls; {@code /health} answers 503 until then
     * @param metrics  source of {@code /metrics}; null answers 404 there
     * @param callLog  source of {@code /calls}; null answers 404 there
     * @throws IOException when the address cannot be bound (message names it and how to fix it)
     */
    public static AdminServer start(AdminSettings settings, BooleanSupplier ready, MetricsObserver metrics,
                                    CallLogReader callLog) throws IOException {
        return start(settings, ready, metrics, callLog, null, Clock.systemUTC());
    }

    /** As above; {@code captureNext} (nullable) serves {@code POST /capture?calls=N}. */
    public static AdminServer start(AdminSettings settings, BooleanSupplier ready, MetricsObserver metrics,
                                    CallLogReader callLog, IntConsumer captureNext) throws IOException {
        return start(settings, ready, metrics, callLog, captureNext, Clock.systemUTC());
    }

    static AdminServer start(AdminSettings settings, BooleanSupplier ready, MetricsObserver metrics,
                             CallLogReader callLog, Clock clock) throws IOException {
        return start(settings, ready, metrics, callLog, null, clock);
    }

    static AdminServer start(AdminSettings settings, BooleanSupplier ready, MetricsObserver metrics,
                             CallLogReader callLog, IntConsumer captureNext, Clock clock) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + settings.host() + ":" + settings.port()
                    + " for the admin API (" + e.getMessage() + "): another process uses the port, or the address "
                    + "is not on this host; change admin.port / admin.host or set admin.enabled: false", e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "admin-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AdminServer admin = new AdminServer(server, pool, settings, ready, metrics, callLog, captureNext, clock);
        server.createContext("/", admin::handle);
        server.setExecutor(pool);
        server.start();
        LOG.info("admin API on http://{}:{}/ ({})", settings.host(), admin.port(),
                settings.token() == null ? "no token" : "bearer token required");
        return admin;
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"wa-sip-bridge\"");
                sendJson(exchange, 401, error("missing or wrong token: send 'Authorization: Bearer <admin.token>'"));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String allowed = path.equals("/capture") ? "POST" : "GET";
            if (!allowed.equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", allowed);
                sendJson(exchange, 405, error("only " + allowed + " is served on " + path));
                return;
            }
            route(exchange, path);
        } catch (RuntimeException e) {
            LOG.warn("admin API: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        }
    }

    private void route(HttpExchange exchange, String path) throws IOException {
        if (path.equals("/health")) {
            boolean up = ready.getAsBoolean();
            sendJson(exchange, up ? 200 : 503, Map.of("status", up ? "ready" : "starting"));
        } else if (path.equals("/metrics") && metrics != null) {
            send(exchange, 200, MetricsObserver.CONTENT_TYPE, metrics.scrape());
        } else if (path.equals("/calls") && callLog != null) {
            listCalls(exchange);
        } else if (path.startsWith("/calls/") && callLog != null && path.length() > "/calls/".length()) {
            oneCall(exchange, URLDecoder.decode(path.substring("/calls/".length()), StandardCharsets.UTF_8));
        } else if (path.equals("/capture") && captureNext != null) {
            String calls = query(exchange.getRequestURI().getRawQuery()).get("calls");
            if (calls == null || !calls.matches("[0-9]{1,3}") || Integer.parseInt(calls) > 100) {
                sendJson(exchange, 400, error("give calls=N with N from 0 to 100 (0 cancels)"));
                return;
            }
            captureNext.accept(Integer.parseInt(calls));
            sendJson(exchange, 200, Map.of("capturingNextCalls", Integer.parseInt(calls)));
        } else {
            sendJson(exchange, 404, error("no such resource; try /health, /metrics, /calls, /calls/{id}, POST /capture"));
        }
    }

    private void listCalls(HttpExchange exchange) throws IOException {
        Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
        CallQuery query;
        try {
            Instant since = params.containsKey("since") ? Since.parse(params.get("since"), clock) : null;
            boolean failed = params.containsKey("failed") && parseBoolean(params.get("failed"));
            int limit = params.containsKey("limit") ? parseLimit(params.get("limit")) : CallQuery.DEFAULT_LIMIT;
            query = new CallQuery(since, failed, limit);
        } catch (IllegalArgumentException e) {
            sendJson(exchange, 400, error(e.getMessage()));
            return;
        }
        try {
            List<Object> calls = new ArrayList<>();
            for (CallRecord c : callLog.calls(query)) {
                calls.add(CallJson.call(c, false));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("calls", calls);
            sendJson(exchange, 200, body);
        } catch (CallLogException e) {
            sendJson(exchange, 500, error(e.getMessage()));
        }
    }

    private void oneCall(HttpExchange exchange, String id) throws IOException {
        try {
            Optional<CallRecord> call = callLog.call(id);
            if (call.isPresent()) {
                sendJson(exchange, 200, CallJson.call(call.get(), true));
            } else {
                sendJson(exchange, 404, error("no call with id '" + id + "' (our Call-ID or Meta's call id) "
                        + "in the call log"));
            }
        } catch (CallLogException e) {
            sendJson(exchange, 500, error(e.getMessage()));
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    private static boolean parseBoolean(String text) {
        return switch (text) {
            case "true", "1", "" -> true;
            case "false", "0" -> false;
            default -> throw new IllegalArgumentException("failed=" + text + " is not true or false");
        };
    }

    private static int parseLimit(String text) {
        if (!text.matches("\\d{1,6}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > CallQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit=" + text + " is not a whole number from 1 to " + CallQuery.MAX_LIMIT);
        }
        return Integer.parseInt(text);
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, JSON, Json.write(body) + "\n");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops accepting requests, stops the threads. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
