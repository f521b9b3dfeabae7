package org.wabridge.b2bua;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A WARN that a flood cannot multiply: at most one line per interval; the next line says how many were left out
 * since. The message is built only when it is logged.
 */
final class RateLimitedWarning {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedWarning(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    void warn(Supplier<String> message) {
        long now = System.nanoTime();
        long due = nextAt.get();
        if ((due != Long.MIN_VALUE && now - due < 0) || !nextAt.compareAndSet(due, now + intervalNanos)) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        log.warn(left == 0 ? message.get() : message.get() + " (" + left + " more like it not logged since the last)");
    }
}
