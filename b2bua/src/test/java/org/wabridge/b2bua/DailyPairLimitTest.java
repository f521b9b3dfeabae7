package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DailyPairLimitTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    @Test
    void refusesTheCallOverTheLimitUntilTheOldestLeavesTheWindow() {
        ManualClock clock = new ManualClock();
        DailyPairLimit limit = new DailyPairLimit(3, clock);
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), limit.waitBeforeNextCall("+15550100001", "+4915112345678"));
            limit.connected("+15550100001", "+4915112345678");
            clock.now = clock.now.plus(Duration.ofHours(1));
        }
        // 3 connected at 10:00, 11:00, 12:00; now 13:00: the next is allowed at 10:00 tomorrow = in 21 h.
        assertEquals(Optional.of(Duration.ofHours(21)), limit.waitBeforeNextCall("+15550100001", "+4915112345678"));
        assertEquals(Optional.empty(), limit.waitBeforeNextCall("+15550100001", "+4915100000000"),
                "another user of the same number is not limited");
        assertEquals(Optional.empty(), limit.waitBeforeNextCall("+15550100002", "+4915112345678"),
                "the same user on another number is not limited");
        clock.now = Instant.parse("2026-11-26T10:00:00Z");
        assertEquals(Optional.empty(), limit.waitBeforeNextCall("+15550100001", "+4915112345678"),
                "24 h after the oldest call one more is allowed");
    }

    @Test
    void zeroDisablesTheLimitAndPurgeForgetsIdlePairs() {
        ManualClock clock = new ManualClock();
        DailyPairLimit off = new DailyPairLimit(0, clock);
        for (int i = 0; i < 500; i++) {
            off.connected("+15550100001", "+4915112345678");
        }
        assertEquals(Optional.empty(), off.waitBeforeNextCall("+15550100001", "+4915112345678"));

        DailyPairLimit one = new DailyPairLimit(1, clock);
        one.connected("+15550100001", "u1");
        assertTrue(one.waitBeforeNextCall("+15550100001", "u1").isPresent());
        clock.now = clock.now.plus(Duration.ofHours(25));
        one.purge();
        assertEquals(Optional.empty(), one.waitBeforeNextCall("+15550100001", "u1"));
    }
}
