package org.wabridge.b2bua.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A call's queue: one task at a time, in order, whichever pool thread runs it, and fair to the other calls. */
class SerialExecutorTest {

    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final SerialExecutor queue = new SerialExecutor(threads);

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(10)
    void aBusyCallHandsItsThreadBackAfterABatchSoAnotherCallRuns() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor busy = new SerialExecutor(one);
            SerialExecutor other = new SerialExecutor(one);
            List<String> ran = new CopyOnWriteArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(101);
            busy.execute(() -> await(release)); // holds the only thread while the rest is queued
            for (int i = 0; i < 100; i++) {
                busy.execute(() -> {
                    ran.add("busy");
                    done.countDown();
                });
            }
            other.execute(() -> {
                ran.add("other");
                done.countDown();
            });
            release.countDown();
            assertTrue(done.await(5, TimeUnit.SECONDS));
            int otherAt = ran.indexOf("other");
            assertTrue(otherAt > 0 && otherAt < 40, "the other call ran after one batch, not after all 100: " + otherAt);
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    @Timeout(60)
    void tasksFromManyThreadsNeverOverlapAndKeepEachThreadsOrder() throws Exception {
        int senders = 4;
        int perSender = 20_000;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int[] lastSeen = new int[senders];
        java.util.Arrays.fill(lastSeen, -1);
        List<String> misordered = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(senders * perSender);
        ExecutorService sending = Executors.newFixedThreadPool(senders);
        try {
            for (int s = 0; s < senders; s++) {
                int sender = s;
                sending.execute(() -> {
                    for (int i = 0; i < perSender; i++) {
                        int n = i;
                        Runnable task = () -> {
                            if (running.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            if (lastSeen[sender] != n - 1) { // no lock: the queue's hand-offs must publish it
                                misordered.add(sender + ":" + lastSeen[sender] + "->" + n);
                            }
                            lastSeen[sender] = n;
                            running.decrementAndGet();
                            done.countDown();
                        };
                        queue.execute(task);
                    }
                });
            }
            assertTrue(done.await(50, TimeUnit.SECONDS), "tasks lost: " + done.getCount());
        } finally {
            sending.shutdownNow();
        }
        assertEquals(0, overlaps.get(), "two tasks of one call ran at once");
        assertEquals(List.of(), misordered);
        for (int s = 0; s < senders; s++) {
            assertEquals(perSender - 1, lastSeen[s]);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
