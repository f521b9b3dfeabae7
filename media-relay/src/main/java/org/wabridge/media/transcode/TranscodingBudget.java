package org.wabridge.media.transcode;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many calls this node transcodes at once ({@code media.maxTranscodedCalls}): a call takes a slot when it is
 * known to need transcoding and gives it back when its media closes. Thread-safe: calls negotiate on many threads.
 */
public final class TranscodingBudget {

    /** No transcoding at all. */
    public static final TranscodingBudget OFF = new TranscodingBudget(0);

    private final int max;
    private final AtomicInteger inUse = new AtomicInteger();

    public TranscodingBudget(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("maxTranscodedCalls must not be negative: " + max);
        }
        this.max = max;
    }

    /** False when transcoding is turned off (a budget of 0). */
    public boolean enabled() {
        return max > 0;
    }

    /** Whether a slot is free now (it may be gone by the time one is taken). */
    public boolean hasRoom() {
        return inUse.get() < max;
    }

    /** Takes a slot; false when all are in use. */
    public boolean tryAcquire() {
        while (true) {
            int n = inUse.get();
            if (n >= max) {
                return false;
            }
            if (inUse.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inUse.decrementAndGet();
    }

    public int inUse() {
        return inUse.get();
    }

    public int max() {
        return max;
    }
}
