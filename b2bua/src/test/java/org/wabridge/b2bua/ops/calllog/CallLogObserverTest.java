package org.wabridge.b2bua.ops.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wabridge.b2bua.ops.CallScenarios.CANCELLED;
import static org.wabridge.b2bua.ops.CallScenarios.COMPLETED;
import static org.wabridge.b2bua.ops.CallScenarios.COMPLETED_WACID;
import static org.wabridge.b2bua.ops.CallScenarios.FAILED;
import static org.wabridge.b2bua.ops.CallScenarios.MEDIA_TIMEOUT;
import static org.wabridge.b2bua.ops.CallScenarios.T0;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.b2bua.ops.CallScenarios;
import org.wabridge.b2bua.ops.MutableClock;
import org.wabridge.config.CallLogSettings;
import org.wabridge.media.MediaStats;

class CallLogObserverTest {

    @TempDir
    Path dir;

    private CallLogSettings settings() {
        return new CallLogSettings(true, dir.resolve("calls.db").toString(), null, Duration.ofDays(30), 1000);
    }

    private CallLogObserver openWithScenarios(MutableClock clock) throws Exception {
        CallLogObserver log = CallLogObserver.open(settings(), clock);
        CallScenarios.feedAll(log);
        log.flush().get(5, TimeUnit.SECONDS);
        return log;
    }

    @Test
    void completedCallIsStoredWithEveryFieldAndItsOrderedTimeline() throws Exception {
        try (CallLogObserver log = openWithScenarios(new MutableClock(T0.plusSeconds(3600)))) {
            CallRecord c = log.call(COMPLETED).orElseThrow();
            assertEquals(T0, c.startedAt());
            assertEquals(Direction.BUSINESS_INITIATED, c.direction());
            assertEquals("outbound", c.directionLabel());
            assertEquals("SIP", c.signaling());
            assertEquals(COMPLETED_WACID, c.metaCallId());
            assertNull(c.requestId(), "business-initiated: only a request-id event from the bridge sets it");
            assertEquals(CallScenarios.BUSINESS, c.businessNumber());
            assertEquals(CallScenarios.USER, c.waUser());
            assertEquals(CallOutcome.CONNECTED, c.outcome());
            assertEquals(T0.plusSeconds(62), c.endedAt());
            assertEquals(200, c.finalCode());
            assertEquals("OK", c.finalPhrase());
            assertNull(c.causeId());
            assertEquals("PBX hung up", c.reason());
            assertEquals(Duration.ofMillis(2500), c.setupTime());
            assertEquals(Duration.ofSeconds(62), c.duration());
            assertEquals(new MediaStats(CallScenarios.PBX_LEG, CallScenarios.META_LEG), c.media());

            List<String> kinds = c.events().stream()
                    .map(e -> e.kind() + (e.leg() == null ? "" : " " + e.leg() + (e.outgoing() ? " out" : " in"))).toList();
            assertEquals(List.of("sip PBX in", "sip META out", "sip META in", "digest-challenge", "sip META out",
                    "sip META in", "meta-call-id", "connected", "sip PBX out", "sip PBX in", "ended"), kinds);
            assertEquals("407 Proxy Authentication Required (INVITE)", c.events().get(2).detail());
            assertEquals(T0.plusMillis(80), c.events().get(2).at());
            assertEquals("200 OK: PBX hung up", c.events().get(10).detail());
        }
    }

    @Test
    void failedAndCancelledCallsKeepTheirCodesAndCauses() throws Exception {
        try (CallLogObserver log = openWithScenarios(new MutableClock(T0.plusSeconds(3600)))) {
            CallRecord failed = log.call(FAILED).orElseThrow();
            assertEquals(CallOutcome.FAILED, failed.outcome());
            assertEquals(403, failed.finalCode());
            assertEquals("No Approved Call Permission Found", failed.finalPhrase());
            assertEquals("meta.403.no-permission", failed.causeId());
            assertNull(failed.setupTime());
            assertEquals(Duration.ofMillis(800), failed.duration());

            CallRecord cancelled = log.call(CANCELLED).orElseThrow();
            assertEquals(CallOutcome.CANCELLED, cancelled.outcome());
            assertEquals(487, cancelled.finalCode());
            assertEquals("inbound", cancelled.directionLabel());
            assertEquals(CANCELLED, cancelled.requestId(), "user-initiated: Meta's Call-ID is the request id");
            assertEquals("BSUID.7f3a\"quoted\"", cancelled.waUser());
        }
    }

    @Test
    void listsAreNewestFirstAndFilterBySinceFailedAndLimit() throws Exception {
        try (CallLogObserver log = openWithScenarios(new MutableClock(T0.plusSeconds(3600)))) {
            assertEquals(List.of(MEDIA_TIMEOUT, CANCELLED, FAILED, COMPLETED), ids(log.calls(new CallQuery(null, false, 50))));
            assertEquals(List.of(MEDIA_TIMEOUT, FAILED), ids(log.calls(new CallQuery(null, true, 50))),
                    "failed: the 403 and the connected call ended by a media timeout, not the cancel");
            assertEquals(List.of(MEDIA_TIMEOUT, CANCELLED), ids(log.calls(new CallQuery(T0.plusSeconds(200), false, 50))));
            assertEquals(List.of(MEDIA_TIMEOUT), ids(log.calls(new CallQuery(null, false, 1))));
            assertTrue(log.calls(new CallQuery(null, false, 50)).stream().allMatch(c -> c.events().isEmpty()));
        }
    }

    @Test
    void aCallIsFoundByMetasCallIdToo() throws Exception {
        try (CallLogObserver log = openWithScenarios(new MutableClock(T0.plusSeconds(3600)))) {
            assertEquals(COMPLETED, log.call(COMPLETED_WACID).orElseThrow().callId());
            assertTrue(log.call("no-such-call").isEmpty());
        }
    }

    @Test
    void rowsSurviveCloseAndReopen() throws Exception {
        MutableClock clock = new MutableClock(T0.plusSeconds(3600));
        CallRecord before;
        try (CallLogObserver log = openWithScenarios(clock)) {
            before = log.call(COMPLETED).orElseThrow();
        }
        try (CallLogObserver reopened = CallLogObserver.open(settings(), clock)) {
            assertEquals(before, reopened.call(COMPLETED).orElseThrow());
            assertEquals(4, reopened.calls(new CallQuery(null, false, 50)).size());
        }
        try (CallLogStore readOnly = CallLogStore.openExisting(settings())) {
            assertEquals(before, readOnly.call(COMPLETED).orElseThrow());
        }
    }

    @Test
    void retentionPurgeRemovesOnlyCallsOlderThanTheRetention() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (CallLogObserver log = CallLogObserver.open(settings(), clock)) {
            CallScenarios.completed(log, T0.minus(Duration.ofDays(40)));
            CallScenarios.failed(log, T0.minus(Duration.ofDays(29)));
            log.flush().get(5, TimeUnit.SECONDS);

            assertEquals(1, log.purgeNow().get(5, TimeUnit.SECONDS));

            assertTrue(log.call(COMPLETED).isEmpty());
            CallRecord kept = log.call(FAILED).orElseThrow();
            assertEquals(4, kept.events().size(), "the kept call keeps its whole timeline");
            assertEquals(List.of(FAILED), ids(log.calls(new CallQuery(null, false, 50))));

            // Two days on the remaining call is 31 days old: the hourly purge or this one removes it.
            clock.advance(Duration.ofDays(2));
            log.purgeNow().get(5, TimeUnit.SECONDS);
            assertTrue(log.call(FAILED).isEmpty());
        }
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CallLogStore store = CallLogStore.open(settings());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch writerBusy = new CountDownLatch(1);
        try (CallLogObserver log = new CallLogObserver(store, Duration.ofDays(30), 2, new MutableClock(T0))) {
            // Hold the writer thread as a stuck database would.
            assertTrue(log.offer(s -> {
                writerBusy.countDown();
                awaitQuietly(release);
            }));
            assertTrue(writerBusy.await(5, TimeUnit.SECONDS));
            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
                for (int i = 0; i < 5; i++) {
                    log.callStarted(new CallStart("call-" + i, Direction.USER_INITIATED, "+15550100001", "+15550100002",
                            T0.plusSeconds(i)));
                }
            });
            assertEquals(3, log.droppedWrites(), "two fit the queue, three are dropped");
            release.countDown();
            flushWhenRoom(log);
            assertEquals(List.of("call-1", "call-0"), ids(log.calls(new CallQuery(null, false, 50))));
        }
    }

    @Test
    void anEndWhoseStartWasLostStillMakesARow() throws Exception {
        try (CallLogObserver log = CallLogObserver.open(settings(), new MutableClock(T0))) {
            CallScenarios.failed(new org.wabridge.b2bua.events.CallObserver() {
                @Override
                public void callEnded(org.wabridge.b2bua.events.CallEnd end) {
                    log.callEnded(end);
                }
            }, T0);
            log.flush().get(5, TimeUnit.SECONDS);
            CallRecord c = log.call(FAILED).orElseThrow();
            assertNull(c.direction());
            assertEquals(T0, c.startedAt(), "start = end - duration");
            assertEquals("meta.403.no-permission", c.causeId());
        }
    }

    @Test
    void sinceAcceptsRelativeTimesInstantsAndDates() {
        MutableClock clock = new MutableClock(T0);
        assertEquals(T0.minus(Duration.ofMinutes(30)), Since.parse("30m", clock));
        assertEquals(T0.minus(Duration.ofDays(7)), Since.parse("7d", clock));
        assertEquals(Instant.parse("2026-11-25T18:00:00Z"), Since.parse("2026-11-25T18:00:00Z", clock));
        assertEquals(Instant.parse("2026-11-25T00:00:00Z"), Since.parse("2026-11-25", clock));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Since.parse("yesterday", clock));
        assertTrue(e.getMessage().contains("'yesterday' is not a time"), e.getMessage());
    }

    private static List<String> ids(List<CallRecord> calls) {
        return calls.stream().map(CallRecord::callId).toList();
    }

    /** The queue may still be full just after the writer is released: retry until the flush is queued. */
    private static void flushWhenRoom(CallLogObserver log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                log.flush().get(5, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException full) {
                if (System.nanoTime() > deadline) {
                    throw full;
                }
                Thread.sleep(10);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void callsTheLastRunLeftInProgressAreClosedAsInterruptedByRestart() throws Exception {
        try (CallLogObserver log = CallLogObserver.open(settings(), new MutableClock(T0.plusSeconds(3600)))) {
            CallScenarios.completed(log, T0);
            // a call that was up when the bridge was killed: its end was never written
            log.callStarted(new CallStart("live-1", Direction.USER_INITIATED, CallScenarios.BUSINESS,
                    CallScenarios.USER, T0.plusSeconds(10)));
            log.sipMessage(new org.wabridge.b2bua.events.SipMessageEvent("live-1", T0.plusSeconds(12), "PBX", false,
                    "INVITE", 200, "200 OK (INVITE)"));
            log.flush().get(5, TimeUnit.SECONDS);
            assertEquals(CallOutcome.IN_PROGRESS, log.call("live-1").orElseThrow().outcome());
        }
        try (CallLogObserver restarted = CallLogObserver.open(settings(), new MutableClock(T0.plusSeconds(7200)))) {
            CallRecord live = restarted.call("live-1").orElseThrow();
            assertEquals(CallOutcome.FAILED, live.outcome());
            assertEquals(CallLogStore.INTERRUPTED_BY_RESTART, live.reason());
            assertEquals(T0.plusSeconds(12), live.endedAt(), "ended at its last timeline entry");
            assertEquals(Duration.ofSeconds(2), live.duration());
            CallRecord done = restarted.call(COMPLETED).orElseThrow();
            assertEquals(CallOutcome.CONNECTED, done.outcome(), "ended calls are left as they were");
            assertEquals("PBX hung up", done.reason());
        }
    }
}
