package org.wabridge.b2bua.sip;

import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.config.Cidr;
import org.wabridge.config.MetaListenerLimits;

/**
 * Decides, as a connection to the Meta-side listener is accepted and before any TLS byte is read, whether the bridge
 * keeps it: its source must be in {@code meta.allowedSources}, and the listener and that source must be under their
 * caps. It counts what it refused and what it holds (for /metrics), and warns once per source per
 * {@link #WARN_INTERVAL} rather than once per connection, so a scanner cannot fill the log.
 */
public final class MetaConnectionGuard {

    /** Why a connection was closed at accept; {@link #label} is the metrics label. */
    public enum Refusal {
        SOURCE_NOT_ALLOWED("source-not-allowed", "not in meta.allowedSources"),
        LISTENER_FULL("listener-full", "the listener holds meta.tlsMaxConnections connections"),
        SOURCE_FULL("source-full", "this source holds meta.tlsMaxConnectionsPerSource connections");

        public final String label;
        final String why;

        Refusal(String label, String why) {
            this.label = label;
            this.why = why;
        }
    }

    static final Duration WARN_INTERVAL = Duration.ofMinutes(10);
    /** Sources remembered for the log's rate limit; past this many the memory is reset rather than grown. */
    static final int MAX_WARNED_SOURCES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(MetaConnectionGuard.class);

    private final List<Cidr> allowed;
    private final MetaListenerLimits limits;
    private final int handshakeTimeoutMillis;
    private final LongSupplier nanoClock;
    private final int plainTcpPort;

    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> openBySource = new ConcurrentHashMap<>();
    private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);
    private final AtomicLong handshakeFailures = new AtomicLong();
    private final AtomicLong idleClosed = new AtomicLong();
    private final SourceWarnings refusalWarnings;
    private final SourceWarnings handshakeWarnings;

    /**
     * @param plainTcpPort           the port of Meta's listener when it is plain TCP (a lab edge), whose connections
     *                               get the source check; -1 when Meta's listener is TLS (other TCP listeners are the
     *                               PBX's, checked per request against {@code pbx.allowedSources})
     * @param handshakeTimeoutMillis how long an accepted TLS connection may take to complete its handshake
     */
    public MetaConnectionGuard(List<Cidr> allowed, MetaListenerLimits limits, int plainTcpPort,
                               int handshakeTimeoutMillis) {
        this(allowed, limits, plainTcpPort, handshakeTimeoutMillis, System::nanoTime);
    }

    /** A guard that admits every source, with the default caps: for a network layer built without a stack. */
    static MetaConnectionGuard admitAll(int handshakeTimeoutMillis) {
        return new MetaConnectionGuard(List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")),
                MetaListenerLimits.DEFAULTS, -1, handshakeTimeoutMillis);
    }

    MetaConnectionGuard(List<Cidr> allowed, MetaListenerLimits limits, int plainTcpPort, int handshakeTimeoutMillis,
                        LongSupplier nanoClock) {
        this.allowed = List.copyOf(allowed);
        this.limits = limits;
        this.plainTcpPort = plainTcpPort;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.nanoClock = nanoClock;
        for (Refusal r : Refusal.values()) {
            refused.put(r, new AtomicLong());
        }
        this.refusalWarnings = new SourceWarnings(nanoClock);
        this.handshakeWarnings = new SourceWarnings(nanoClock);
    }

    /**
     * Takes a slot for a connection from {@code source}, or says why not (and counts and maybe logs the refusal).
     * An admitted connection must be {@link #release}d exactly once when it closes.
     */
    Refusal admit(InetAddress source) {
        Refusal refusal = check(source);
        if (refusal != null) {
            refused.get(refusal).incrementAndGet();
            warn(source, refusal);
        }
        return refusal;
    }

    /** Plain TCP listener (lab): only the source check, no slot to release. */
    Refusal admitSourceOnly(InetAddress source) {
        if (isAllowed(source)) {
            return null;
        }
        refused.get(Refusal.SOURCE_NOT_ALLOWED).incrementAndGet();
        warn(source, Refusal.SOURCE_NOT_ALLOWED);
        return Refusal.SOURCE_NOT_ALLOWED;
    }

    private Refusal check(InetAddress source) {
        if (!isAllowed(source)) {
            return Refusal.SOURCE_NOT_ALLOWED;
        }
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            return Refusal.LISTENER_FULL;
        }
        AtomicInteger fromSource = openBySource.compute(source, (k, v) -> {
            AtomicInteger n = v == null ? new AtomicInteger() : v;
            n.incrementAndGet();
            return n;
        });
        if (fromSource.get() > limits.maxConnectionsPerSource()) {
            release(source);
            return Refusal.SOURCE_FULL;
        }
        return null;
    }

    /** Gives back the slot of a connection from {@code source} that {@link #admit} took. */
    void release(InetAddress source) {
        open.decrementAndGet();
        openBySource.computeIfPresent(source, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    boolean isAllowed(InetAddress source) {
        for (Cidr cidr : allowed) {
            if (cidr.contains(source)) {
                return true;
            }
        }
        return false;
    }

    private void warn(InetAddress source, Refusal refusal) {
        long suppressed = refusalWarnings.due(source);
        if (suppressed >= 0) {
            LOG.warn("Meta listener: closed a connection from {} at accept: {}{}; further refusals of this source are "
                            + "counted in wabridge_meta_connections_refused_total and logged at most every {} minutes",
                    source.getHostAddress(), refusal.why,
                    suppressed == 0 ? "" : " (" + suppressed + " more refused since the last warning)",
                    WARN_INTERVAL.toMinutes());
        }
    }

    /** Counts a failed or timed-out TLS handshake of an admitted connection and warns, once per source per interval. */
    void handshakeFailed(InetAddress source, String why) {
        handshakeFailures.incrementAndGet();
        long suppressed = handshakeWarnings.due(source);
        if (suppressed >= 0) {
            LOG.warn("Meta listener: TLS handshake from {} failed: {}{}; the bridge accepts TLS 1.2+ with AEAD suites "
                            + "only; further failures of this source are counted in "
                            + "wabridge_meta_tls_handshake_failures_total and logged at most every {} minutes",
                    source.getHostAddress(), why,
                    suppressed == 0 ? "" : " (" + suppressed + " more since the last warning)",
                    WARN_INTERVAL.toMinutes());
        }
    }

    /** Per source, whether a warning is due: at most one per {@link #WARN_INTERVAL}, counting the ones held back. */
    private static final class SourceWarnings {
        private final LongSupplier nanoClock;
        private final Map<InetAddress, State> states = new ConcurrentHashMap<>();

        private static final class State {
            boolean warnedOnce;
            long lastNanos;
            long suppressed;
        }

        SourceWarnings(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
        }

        /** -1 when not due (counted as held back), else how many were held back since the last warning. */
        long due(InetAddress source) {
            long now = nanoClock.getAsLong();
            if (states.size() >= MAX_WARNED_SOURCES && !states.containsKey(source)) {
                states.clear(); // many sources: forget who was warned rather than grow; each may be warned once more
            }
            State state = states.computeIfAbsent(source, k -> new State());
            synchronized (state) {
                if (state.warnedOnce && now - state.lastNanos < WARN_INTERVAL.toNanos()) {
                    state.suppressed++;
                    return -1;
                }
                long suppressed = state.suppressed;
                state.warnedOnce = true;
                state.lastNanos = now;
                state.suppressed = 0;
                return suppressed;
            }
        }
    }

    void idleClosed() {
        idleClosed.incrementAndGet();
    }

    /** Whether a plain TCP listener on {@code port} is Meta's. */
    boolean guardsPlainTcp(int port) {
        return plainTcpPort > 0 && port == plainTcpPort;
    }

    int handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    int idleTimeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis());
    }

    // ------------------------------------------------------------------ figures for /metrics

    /** Connections the listener holds now. */
    public int openConnections() {
        return open.get();
    }

    /** Connections closed at accept for {@code why}, since start. */
    public long refused(Refusal why) {
        return refused.get(why).get();
    }

    /** Accepted TLS connections whose handshake failed or timed out. */
    public long handshakeFailures() {
        return handshakeFailures.get();
    }

    /** Accepted connections closed after {@code meta.tlsIdleTimeout} without a byte. */
    public long idleClosures() {
        return idleClosed.get();
    }
}
