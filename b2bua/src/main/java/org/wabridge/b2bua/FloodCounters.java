package org.wabridge.b2bua;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the bridge turned away without a call, for /metrics: INVITEs from outside the allowlists, wrong digest
 * answers, INVITEs refused without a challenge while their source is blocked for wrong digests, and host names
 * from messages the SIP stack was not allowed to look up. Counting costs no lock and no log line.
 */
public final class FloodCounters {

    final LongAdder sourceNotAllowed = new LongAdder();
    final LongAdder digestWrong = new LongAdder();
    final LongAdder digestBlocked = new LongAdder();
    private final java.util.function.LongSupplier namesNotResolved;

    FloodCounters(java.util.function.LongSupplier namesNotResolved) {
        this.namesNotResolved = namesNotResolved;
    }

    public long sourceNotAllowed() {
        return sourceNotAllowed.sum();
    }

    public long digestWrong() {
        return digestWrong.sum();
    }

    public long digestBlocked() {
        return digestBlocked.sum();
    }

    public long namesNotResolved() {
        return namesNotResolved.getAsLong();
    }
}
