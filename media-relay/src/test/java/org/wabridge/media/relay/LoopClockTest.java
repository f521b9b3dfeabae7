package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One loop's 20 ms clock runs while the loop has calls or parked packets, and not while it has neither. */
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

    @Test
    void aStrangersParkedPacketRunsTheClockUntilItExpires() throws Exception {
        EmbeddedChannel[] sockets = {socket(), socket(), socket()};
        LoopClock clock = new LoopClock(sockets[0].eventLoop());
        SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, clock::wake);
        clock.tickShared(shared);
        assertFalse(clock.ticking(), "no call and nothing parked");

        InetSocketAddress stranger = new InetSocketAddress("127.0.0.1", 40000);
        sockets[0].writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0}),
                new InetSocketAddress("127.0.0.1", 20000), stranger));
        assertTrue(clock.ticking(), "a parked packet starts the clock on a loop without calls");

        Thread.sleep(SharedMediaPorts.PARK_MILLIS + 100); // parked packets age by the wall clock
        sockets[0].advanceTimeBy(2 * LoopClock.TICK_MILLIS, TimeUnit.MILLISECONDS);
        sockets[0].runScheduledPendingTasks();
        assertEquals(1, shared.unmatchedPackets(), "the clock's tick expired it");
        assertFalse(clock.ticking(), "and then stopped: nothing is left for it");
    }

    private static EmbeddedChannel socket() {
        return new EmbeddedChannel(NettyMediaSession.inboundHandler());
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
