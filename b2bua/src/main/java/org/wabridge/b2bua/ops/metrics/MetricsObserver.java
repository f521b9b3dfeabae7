package org.wabridge.b2bua.ops.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallEvent;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.b2bua.sip.MetaConnectionGuard;
import org.wabridge.media.MediaStats;
import org.wabridge.media.MediaStats.LegStats;

/**
 * Counts calls, SIP messages and relayed media for Prometheus. Every observer method only increments
 * in-memory counters (lock-free), so it is safe on SIP and relay threads.
 *
 * <p>Relay counters are added when a call ends (from {@link CallEnd#media()}), so a long call shows up
 * in them at its end. Series names are listed in docs/OPERATIONS.md.
 */
public final class MetricsObserver implements CallObserver {

    /** Content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] SETUP_BUCKETS = {Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    /** Methods get their own label value; anything else is "other", so a peer cannot mint new series. */
    private static final Set<String> METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "NOTIFY",
            "UPDATE", "PRACK", "INFO", "REFER", "MESSAGE", "SUBSCRIBE", "REGISTER");

    private final PrometheusMeterRegistry registry;
    /** What the function counters read: held here, as Micrometer holds a function counter's object weakly. */
    private final List<LongSupplier> counterSources = new CopyOnWriteArrayList<>();
    private final Timer setupTime;
    /** Direction of each call in progress: CallEnd does not carry it. */
    private final Map<String, Direction> directions = new ConcurrentHashMap<>();
    private final Map<SipSeries, Counter> sipCounters = new ConcurrentHashMap<>();

    /** Counts calls in progress itself: started and not yet ended. */
    public MetricsObserver() {
        this(null);
    }

    /**
     * @param activeCalls the number of calls in progress, read at each scrape (e.g. the call registry's size);
     *                    null counts the calls started and not yet ended
     */
    public MetricsObserver(IntSupplier activeCalls) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        IntSupplier active = activeCalls != null ? activeCalls : directions::size;
        // Strong: Micrometer holds gauge sources weakly, and nothing else keeps this supplier alive.
        Gauge.builder("wabridge.calls.active", active, s -> s.getAsInt())
                .description("Calls in progress").strongReference(true).register(registry);
        setupTime = Timer.builder("wabridge.call.setup")
                .description("From the first INVITE to the answer, connected calls only")
                .serviceLevelObjectives(SETUP_BUCKETS)
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** The registry, to add more meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** All series in Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Exposes the relay's transcoding budget: calls transcoding now ({@code wabridge_calls_transcoded}) and the
     * configured slots ({@code wabridge_transcoding_slots}, {@code media.maxTranscodedCalls}).
     */
    public void watchTranscoding(IntSupplier transcoded, int slots) {
        Gauge.builder("wabridge.calls.transcoded", transcoded, s -> s.getAsInt())
                .description("Calls transcoding Opus <-> G.711 now").strongReference(true).register(registry);
        Gauge.builder("wabridge.transcoding.slots", () -> slots)
                .description("media.maxTranscodedCalls: calls this node may transcode at once").strongReference(true)
                .register(registry);
    }

    /**
     * {@code wabridge_media_unmatched_packets_total}: packets the shared media ports dropped because no call's SDP
     * names their sender (media.sharedPorts; a PBX behind NAT shows here).
     */
    public void watchSharedPorts(LongSupplier unmatched) {
        countFrom(unmatched, "wabridge.media.unmatched.packets",
                "Packets on the shared media ports from an address no call's SDP names, dropped");
    }

    /**
     * {@code wabridge_media_unsent_packets_total}: packets the relay dropped because the kernel refused to send them
     * (a socket's send buffer full, a send error).
     */
    public void watchUnsentPackets(LongSupplier unsent) {
        countFrom(unsent, "wabridge.media.unsent.packets",
                "Media packets the kernel refused to send (send buffer full, send error), dropped");
    }

    /**
     * A counter read from {@code source} at each scrape. Micrometer holds a function counter's object weakly: a
     * supplier held by nothing else (a method reference, as the CLI passes) went with the next GC and the series read
     * NaN from then on, so this observer, which lives as long as the registry, holds it.
     */
    private void countFrom(LongSupplier source, String name, String description) {
        counterSources.add(source);
        FunctionCounter.builder(name, source, LongSupplier::getAsLong).description(description).register(registry);
    }

    /**
     * Exposes what the SIP side turned away without a call: {@code wabridge_sip_refused_total{why}} with why =
     * source-not-allowed (INVITE from outside the allowlists), digest-wrong (wrong digest answer), digest-blocked
     * (INVITE refused without a challenge while its source is blocked for wrong answers), and
     * {@code wabridge_sip_names_not_resolved_total} (host names from messages never looked up).
     */
    public void watchSipFloods(org.wabridge.b2bua.FloodCounters floods) {
        FunctionCounter.builder("wabridge.sip.refused", floods, f -> f.sourceNotAllowed())
                .description("Requests refused without a call").tag("why", "source-not-allowed").register(registry);
        FunctionCounter.builder("wabridge.sip.refused", floods, f -> f.digestWrong())
                .description("Requests refused without a call").tag("why", "digest-wrong").register(registry);
        FunctionCounter.builder("wabridge.sip.refused", floods, f -> f.digestBlocked())
                .description("Requests refused without a call").tag("why", "digest-blocked").register(registry);
        FunctionCounter.builder("wabridge.sip.names.not.resolved", floods, f -> f.namesNotResolved())
                .description("Host names taken from SIP messages that were not looked up").register(registry);
    }

    /**
     * Exposes the Meta listener's connections: held now ({@code wabridge_meta_connections_open}), closed at accept
     * by reason ({@code wabridge_meta_connections_refused_total{reason}}), failed TLS handshakes and idle closes.
     */
    public void watchMetaListener(MetaConnectionGuard guard) {
        Gauge.builder("wabridge.meta.connections.open", guard, MetaConnectionGuard::openConnections)
                .description("Connections the Meta-side listener holds").strongReference(true).register(registry);
        for (MetaConnectionGuard.Refusal why : MetaConnectionGuard.Refusal.values()) {
            FunctionCounter.builder("wabridge.meta.connections.refused", guard, g -> g.refused(why))
                    .description("Connections to the Meta-side listener closed at accept").tag("reason", why.label)
                    .register(registry);
        }
        FunctionCounter.builder("wabridge.meta.tls.handshake.failures", guard, MetaConnectionGuard::handshakeFailures)
                .description("Accepted TLS connections whose handshake failed or timed out").register(registry);
        FunctionCounter.builder("wabridge.meta.connections.idle.closed", guard, MetaConnectionGuard::idleClosures)
                .description("Accepted connections closed after meta.tlsIdleTimeout without a byte").register(registry);
    }

    /** Exposes the call log's dropped and failed writes ({@code wabridge_calllog_writes_lost_total{why}}). */
    public <T> void watchCallLog(T callLog, ToDoubleFunction<T> droppedWrites, ToDoubleFunction<T> failedWrites) {
        FunctionCounter.builder("wabridge.calllog.writes.lost", callLog, droppedWrites)
                .description("Call log writes lost because the queue was full").tag("why", "queue-full")
                .register(registry);
        FunctionCounter.builder("wabridge.calllog.writes.lost", callLog, failedWrites)
                .description("Call log writes lost because the database refused them").tag("why", "database-error")
                .register(registry);
    }

    @Override
    public void callStarted(CallStart start) {
        directions.put(start.callId(), start.direction());
        Counter.builder("wabridge.calls.started").description("Calls accepted for processing")
                .tag("direction", direction(start.direction())).register(registry).increment();
    }

    @Override
    public void sipMessage(SipMessageEvent m) {
        SipSeries series = new SipSeries(lower(m.leg()), m.outgoing() ? "out" : "in",
                METHODS.contains(m.method()) ? m.method() : "other",
                m.status() == 0 ? "request" : m.status() >= 100 && m.status() <= 699 ? Integer.toString(m.status())
                        : "invalid");
        // About twenty messages per call: a map look-up, not a meter id built and registered each time.
        sipCounters.computeIfAbsent(series, this::sipCounter).increment();
    }

    /** The labels of one {@code wabridge_sip_messages_total} series. */
    private record SipSeries(String leg, String direction, String method, String status) {}

    private Counter sipCounter(SipSeries s) {
        return Counter.builder("wabridge.sip.messages").description("SIP messages sent and received, per leg")
                .tag("leg", s.leg()).tag("direction", s.direction()).tag("method", s.method())
                .tag("status", s.status()).register(registry);
    }

    @Override
    public void callEvent(CallEvent e) {
        if ("digest-challenge".equals(e.kind())) {
            Counter.builder("wabridge.digest.challenges").description("Digest challenges (401/407) answered")
                    .register(registry).increment();
        } else if ("digest-reused".equals(e.kind())) {
            reusedDigests("sent");
        } else if ("digest-reuse-refused".equals(e.kind())) {
            reusedDigests("refused");
        }
    }

    /** INVITEs that carried an earlier call's accepted digest answer, and those Meta refused (403). */
    private void reusedDigests(String result) {
        Counter.builder("wabridge.digest.reused").description("INVITEs sent with credentials reused from an"
                + " earlier challenge, and those refused").tag("result", result).register(registry).increment();
    }

    @Override
    public void callEnded(CallEnd end) {
        CallOutcome outcome = CallOutcome.of(end);
        Direction direction = directions.remove(end.callId());
        Counter.builder("wabridge.calls").description("Calls ended, by direction, outcome and cause id")
                .tag("direction", direction == null ? "unknown" : direction(direction))
                .tag("outcome", outcome.label())
                .tag("cause", end.causeId() == null ? "none" : end.causeId())
                .register(registry).increment();
        if (end.connected() && end.setupTime() != null) {
            setupTime.record(end.setupTime());
        }
        countMediaTimeout(end.causeId());
        MediaStats media = end.media();
        if (media != null) {
            countLeg("pbx", media.pbx());
            countLeg("meta", media.meta());
        }
    }

    private void countMediaTimeout(String causeId) {
        if (causeId == null) {
            return;
        }
        String leg;
        String detectedBy;
        if (causeId.startsWith("local.media-timeout-")) {
            leg = causeId.substring("local.media-timeout-".length());
            detectedBy = "bridge";
        } else if (causeId.equals("meta.408.rtp-timeout") || causeId.startsWith("meta.media.")) {
            leg = "meta";
            detectedBy = "meta";
        } else {
            return;
        }
        Counter.builder("wabridge.media.timeouts").description("Calls ended because media stopped")
                .tag("leg", leg).tag("detected_by", detectedBy).register(registry).increment();
    }

    private void countLeg(String leg, LegStats s) {
        if (s == null) {
            return;
        }
        add("wabridge.relay.packets", "RTP/RTCP packets relayed", leg, "in", s.packetsIn());
        add("wabridge.relay.packets", "RTP/RTCP packets relayed", leg, "out", s.packetsOut());
        add("wabridge.relay.bytes", "Bytes relayed", leg, "in", s.bytesIn());
        add("wabridge.relay.bytes", "Bytes relayed", leg, "out", s.bytesOut());
        add("wabridge.relay.dropped", "Packets dropped (malformed, unknown source, SRTP failure)", leg, null, s.dropped());
        add("wabridge.relay.auth.failures", "SRTP/SRTCP authentication failures", leg, null, s.authFailures());
    }

    private void add(String name, String description, String leg, String direction, long amount) {
        Counter.Builder b = Counter.builder(name).description(description).tag("leg", leg);
        if (direction != null) {
            b.tag("direction", direction);
        }
        b.register(registry).increment(amount);
    }

    private static String direction(Direction d) {
        return d == Direction.BUSINESS_INITIATED ? "outbound" : "inbound";
    }

    private static String lower(String s) {
        return s == null ? "unknown" : s.toLowerCase(Locale.ROOT);
    }
}
