package org.wabridge.b2bua;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meta allows a limited number of connected business-initiated calls per business number and WhatsApp user in
 * any 24 hours (100 today; error 138012). Counting them here refuses the next call locally, with the time it
 * will be allowed again, instead of letting Meta refuse it. Only connected calls count, as at Meta.
 */
final class DailyPairLimit {

    static final Duration WINDOW = Duration.ofHours(24);

    private final int limit;
    private final Clock clock;
    private final Map<String, Deque<Instant>> connected = new ConcurrentHashMap<>();

    /** @param limit connected calls per pair per 24 h; 0 disables the check */
    DailyPairLimit(int limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** When the pair may call again, or empty when it may call now. */
    Optional<Duration> waitBeforeNextCall(String businessNumber, String waUser) {
        if (limit <= 0) {
            return Optional.empty();
        }
        Deque<Instant> times = connected.get(key(businessNumber, waUser));
        if (times == null) {
            return Optional.empty();
        }
        synchronized (times) {
            Instant now = clock.instant();
            prune(times, now);
            if (times.size() < limit) {
                return Optional.empty();
            }
            return Optional.of(Duration.between(now, times.peekFirst().plus(WINDOW)));
        }
    }

    /** Counts a connected call of the pair. */
    void connected(String businessNumber, String waUser) {
        if (limit <= 0) {
            return;
        }
        Deque<Instant> times = connected.computeIfAbsent(key(businessNumber, waUser), k -> new ArrayDeque<>());
        synchronized (times) {
            Instant now = clock.instant();
            prune(times, now);
            times.addLast(now);
        }
    }

    /** Forgets pairs with no call in the window (called periodically so memory follows the active pairs). */
    void purge() {
        Instant now = clock.instant();
        connected.values().removeIf(times -> {
            synchronized (times) {
                prune(times, now);
                return times.isEmpty();
            }
        });
    }

    private static void prune(Deque<Instant> times, Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!times.isEmpty() && !times.peekFirst().isAfter(cutoff)) {
            times.pollFirst();
        }
    }

    private static String key(String businessNumber, String waUser) {
        return businessNumber + "|" + waUser;
    }
}
