package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import java.lang.ref.WeakReference;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CoalescingSipTimerTest {

    private final CoalescingSipTimer timer = new CoalescingSipTimer();

    @BeforeEach
    void start() {
        timer.start(null, new Properties());
    }

    @AfterEach
    void stop() {
        timer.stop();
    }

    /** A task that counts its runs and its clean-ups, and records when it ran. */
    static final class Task extends SIPStackTimerTask {
        final List<Long> runs = new CopyOnWriteArrayList<>();
        volatile Thread thread;
        volatile long wallClock;
        final AtomicInteger cleanUps = new AtomicInteger();
        final CountDownLatch ran;
        final boolean fails;

        Task(int expectedRuns, boolean fails) {
            this.ran = new CountDownLatch(expectedRuns);
            this.fails = fails;
        }

        @Override
        public void runTask() {
            runs.add(System.nanoTime());
            thread = Thread.currentThread();
            wallClock = System.currentTimeMillis();
            ran.countDown();
            if (fails) {
                throw new IllegalStateException("a task's bug");
            }
        }

        @Override
        public void cleanUpBeforeCancel() {
            cleanUps.incrementAndGet();
        }

        @Override
        public Object getThreadHash() {
            return null;
        }
    }

    /** A task only its owner may keep alive: counts its runs in {@code runs}, which outlives it. */
    static final class OwnedTask extends SIPStackTimerTask {
        final AtomicInteger runs;

        OwnedTask(AtomicInteger runs) {
            this.runs = runs;
        }

        @Override
        public void runTask() {
            runs.incrementAndGet();
        }

        @Override
        public Object getThreadHash() {
            return null;
        }
    }

    @Test
    void aWeaklyHeldTaskRunsWhileItsOwnerHoldsItAndGoesWithItsOwner() throws Exception {
        CoalescingSipTimer weakTimer = new CoalescingSipTimer(task -> task instanceof OwnedTask);
        weakTimer.start(null, new Properties());
        try {
            AtomicInteger keptRuns = new AtomicInteger();
            AtomicInteger droppedRuns = new AtomicInteger();
            OwnedTask kept = new OwnedTask(keptRuns); // its dialog still holds it
            weakTimer.schedule(kept, 400);
            OwnedTask dropped = new OwnedTask(droppedRuns);
            weakTimer.schedule(dropped, 400);
            WeakReference<OwnedTask> droppedRef = new WeakReference<>(dropped);
            dropped = null; // its dialog is gone
            AtomicInteger ordinaryRuns = new AtomicInteger();
            OwnedTask ordinary = new OwnedTask(ordinaryRuns);
            timer.schedule(ordinary, 400); // the stack's own timer: held strongly, as transaction timers need
            WeakReference<OwnedTask> ordinaryRef = new WeakReference<>(ordinary);
            ordinary = null;

            assertTrue(collected(droppedRef), "the timer does not keep a weakly held task alive");
            assertTrue(ordinaryRef.get() != null, "an ordinary task is kept by the timer");
            Thread.sleep(600);
            assertEquals(1, keptRuns.get(), "a weakly held task its owner keeps runs at its time");
            assertEquals(0, droppedRuns.get());
            assertEquals(1, ordinaryRuns.get(), "the ordinary one ran");
            assertEquals(1, kept.runs.get()); // the owner held it to here
        } finally {
            weakTimer.stop();
        }
    }

    /** Whether {@code ref}'s object is collected within 20 full collections (each a System.gc(), as G1 runs it). */
    private static boolean collected(WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return ref.get() == null;
    }

    @Test
    void jainSipsCheckThatAnAckWentOutIsTheTaskHeldWeakly() throws Exception {
        Class<?> type = Class.forName(CoalescingSipTimer.DIALOG_DELETE_IF_NO_ACK_SENT);
        assertTrue(SIPStackTimerTask.class.isAssignableFrom(type), "the JAIN-SIP version still has the class");
        Constructor<?> make = type.getDeclaredConstructors()[0];
        make.setAccessible(true);
        SIPStackTimerTask ackCheck = (SIPStackTimerTask) make.newInstance(null, 1L);
        CoalescingSipTimer stackTimer = new CoalescingSipTimer();
        stackTimer.start(null, new Properties());
        try {
            stackTimer.schedule(ackCheck, 60_000);
            WeakReference<SIPStackTimerTask> ref = new WeakReference<>(ackCheck);
            ackCheck = null;
            assertTrue(collected(ref), "scheduled for 32 s, it no longer holds its dialog that long");
            Task ordinary = new Task(1, false);
            stackTimer.schedule(ordinary, 10);
            assertTrue(ordinary.ran.await(2, TimeUnit.SECONDS), "other tasks are held as before");
        } finally {
            stackTimer.stop();
        }
    }

    @Test
    void aOneShotTaskRunsOnceAndNotBeforeItsDelay() throws Exception {
        Task task = new Task(1, false);
        long scheduled = System.nanoTime();
        assertTrue(timer.schedule(task, 100));
        assertTrue(task.ran.await(2, TimeUnit.SECONDS));
        long lateMillis = TimeUnit.NANOSECONDS.toMillis(task.runs.get(0) - scheduled);
        assertTrue(lateMillis >= 100, "ran after " + lateMillis + " ms");
        Thread.sleep(300);
        assertEquals(1, task.runs.size(), "a one-shot task runs once");
    }

    @Test
    void tasksDueWithinOneSlotAreAllHeldToItsEnd() throws Exception {
        while (System.currentTimeMillis() % CoalescingSipTimer.GRID_MILLIS != 1) {
            Thread.onSpinWait(); // start just after a slot begins, so that all five fall in it
        }
        long scheduledAt = System.currentTimeMillis();
        List<Task> tasks = new ArrayList<>();
        for (int delay = 0; delay <= 16; delay += 4) {
            Task task = new Task(1, false);
            timer.schedule(task, delay);
            tasks.add(task);
        }
        // The task due at once waits with the others for the slot's end (a timer that did not round it would run
        // it 16 ms before the last): tasks of one slot are due together and so share the timer thread's wake-up.
        long slotEnd = CoalescingSipTimer.slot(scheduledAt + 16);
        for (Task task : tasks) {
            assertTrue(task.ran.await(2, TimeUnit.SECONDS));
            assertTrue(task.wallClock >= slotEnd, "ran " + (slotEnd - task.wallClock) + " ms before the slot's end");
        }
    }

    @Test
    void aRepeatingTaskRunsEveryPeriodUntilCancelledAndIsCleanedUpOnce() throws Exception {
        Task task = new Task(4, false);
        timer.scheduleWithFixedDelay(task, 50, 50);
        assertTrue(task.ran.await(2, TimeUnit.SECONDS));
        for (int i = 1; i < task.runs.size(); i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(task.runs.get(i) - task.runs.get(i - 1));
            assertTrue(gap >= 50 - CoalescingSipTimer.GRID_MILLIS, "runs " + gap + " ms apart");
        }
        assertTrue(timer.cancel(task));
        int runs = task.runs.size();
        Thread.sleep(300);
        assertTrue(task.runs.size() <= runs + 1, "at most a run already under way ends after the cancel");
        int after = task.runs.size();
        Thread.sleep(200);
        assertEquals(after, task.runs.size(), "no run after the cancel");
        assertEquals(1, task.cleanUps.get());
        assertFalse(timer.cancel(task), "a second cancel does nothing");
        assertEquals(1, task.cleanUps.get());
    }

    @Test
    void aTaskCancelledBeforeItsTimeNeverRuns() throws Exception {
        Task task = new Task(1, false);
        timer.schedule(task, 100);
        assertTrue(timer.cancel(task));
        assertFalse(task.ran.await(400, TimeUnit.MILLISECONDS));
        assertEquals(1, task.cleanUps.get());
    }

    @Test
    void aFailingTaskKeepsItsScheduleAndOthersRun() throws Exception {
        Task failing = new Task(3, true);
        Task other = new Task(1, false);
        timer.scheduleWithFixedDelay(failing, 20, 20);
        timer.schedule(other, 60);
        assertTrue(failing.ran.await(2, TimeUnit.SECONDS), "a repeating task that throws still repeats");
        assertTrue(other.ran.await(2, TimeUnit.SECONDS));
        timer.cancel(failing);
    }

    @Test
    void stoppedItRefusesNewTasksAndItsThreadIsGone() throws Exception {
        Task task = new Task(1, false);
        timer.schedule(task, 10);
        assertTrue(task.ran.await(2, TimeUnit.SECONDS));
        assertTrue(timer.isStarted());
        timer.stop();
        assertFalse(timer.isStarted());
        assertThrows(IllegalStateException.class, () -> timer.schedule(new Task(1, false), 10));
        task.thread.join(2000);
        assertFalse(task.thread.isAlive(), "the timer's thread ended with the stop");
    }
}
