package org.wabridge.b2bua;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wrong digest answers per source address: after {@link #MAX_FAILURES} within {@link #WINDOW} the source is
 * blocked for {@link #BLOCK}: its INVITEs get 403 at once, without a challenge (no nonce, no hash to compute), so a
 * password guesser gets nothing to work on. A right answer clears the source's count; other sources are never
 * affected. The table is bounded: past {@link #MAX_SOURCES} sources, stale entries are dropped first.
 */
final class DigestFailures {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration BLOCK = Duration.ofMinutes(5);
    static final int MAX_SOURCES = 10_000;

    private record Entry(long windowStart, int failures, long blockedUntil) {}

    private final Clock clock;
    private final Map<String, Entry> bySource = new ConcurrentHashMap<>();

    DigestFailures(Clock clock) {
        this.clock = clock;
    }

    /** True while {@code source} is blocked. */
    boolean blocked(String source) {
        Entry e = bySource.get(source);
        return e != null && e.blockedUntil() > clock.millis();
    }

    /** Counts a wrong answer from {@code source}; returns its wrong answers in the window, this one included. */
    int failed(String source) {
        long now = clock.millis();
        if (bySource.size() >= MAX_SOURCES) {
            bySource.values().removeIf(e -> e.blockedUntil() <= now && now - e.windowStart() > WINDOW.toMillis());
        }
        Entry next = bySource.compute(source, (k, e) -> {
            if (e == null || now - e.windowStart() > WINDOW.toMillis()) {
                return new Entry(now, 1, 0);
            }
            int failures = e.failures() + 1;
            return new Entry(e.windowStart(), failures,
                    failures >= MAX_FAILURES ? now + BLOCK.toMillis() : e.blockedUntil());
        });
        return next.failures();
    }

    /** A right answer: the source starts again from zero. */
    void succeeded(String source) {
        bySource.remove(source);
    }
}
