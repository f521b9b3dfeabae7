package org.wabridge.b2bua.sip;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Where a connection's reading thread has a message's work done: on itself while it keeps up, on a second thread
 * once it falls behind, always in the order the messages were read. Keeping up means nothing handed to the second
 * thread is still waiting or running (so running here cannot overtake it) and the reading thread read its socket
 * less than a budget ago (so the peer's bytes never wait long for the next read, however slow the stack is).
 * <p>The reading thread alone calls {@link #read} and {@link #run}; the second thread only runs what it is given.
 */
final class KeepUpDelivery {

    private final Executor second;
    private final long budgetNanos;
    private final LongSupplier nanoClock;
    /** Work handed to the second thread and not yet done with. */
    private final AtomicInteger queued = new AtomicInteger();
    /** When the reading thread last read (the reading thread's own). */
    private long readAt;

    /**
     * @param second      runs queued work one at a time, in order (a single-thread executor)
     * @param budgetNanos how long after a read the reading thread may go on running work itself
     * @param nanoClock   {@link System#nanoTime}, or a test's clock
     */
    KeepUpDelivery(Executor second, long budgetNanos, LongSupplier nanoClock) {
        this.second = second;
        this.budgetNanos = budgetNanos;
        this.nanoClock = nanoClock;
        this.readAt = nanoClock.getAsLong();
    }

    /** The reading thread has just read: its budget starts again. */
    void read() {
        readAt = nanoClock.getAsLong();
    }

    /** Runs {@code work} here if the reading thread keeps up, else queues it behind what the second thread has. */
    void run(Runnable work) {
        if (queued.get() == 0 && nanoClock.getAsLong() - readAt < budgetNanos) {
            work.run();
            return;
        }
        queued.incrementAndGet();
        second.execute(() -> {
            try {
                work.run();
            } finally {
                queued.decrementAndGet();
            }
        });
    }
}
