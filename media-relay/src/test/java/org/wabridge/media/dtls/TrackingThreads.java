package org.wabridge.media.dtls;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/** Test helper: a thread factory that remembers its threads, to prove none is left behind. */
final class TrackingThreads implements ThreadFactory {

    final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public Thread newThread(Runnable r) {
        Thread t = DtlsEndpoint.DEFAULT_THREADS.newThread(r);
        threads.add(t);
        return t;
    }

    /** Waits up to {@code millis} for every thread to end; true when none is alive. */
    boolean allEnded(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }
}
