package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One loop's 20 ms clock runs while the loop has calls, and not while it has none. */
class LoopClockTest {

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void ticksItsCallsOnlyWhileItHasAny() throws Exception {
        LoopClock clock = new LoopClock(loop);
        Thread.sleep(100);
        assertFalse(clock.ticking(), "no call, no timer");

        AtomicInteger ticks = new AtomicInteger();
        LoopClock.Ticked call = now -> ticks.incrementAndGet();
        clock.add(call);
        waitFor(() -> ticks.get() >= 3, "a call is ticked every 20 ms");
        assertTrue(clock.ticking());

        clock.remove(call);
        waitFor(() -> !clock.ticking(), "the timer stops at the tick after the last call left");
        int after = ticks.get();
        Thread.sleep(100);
        assertEquals(after, ticks.get(), "a removed call is not ticked");

        clock.add(call);
        waitFor(() -> ticks.get() >= after + 3, "a new call starts the timer again");
    }

    @Test
    void aCallAddedFromItsOwnLoopStartsTheTimerToo() throws Exception {
        LoopClock clock = new LoopClock(loop);
        AtomicInteger ticks = new AtomicInteger();
        loop.submit(() -> clock.add(now -> ticks.incrementAndGet())).get(5, TimeUnit.SECONDS);
        waitFor(() -> ticks.get() >= 2, "ticked");
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
