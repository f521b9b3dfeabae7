package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPStackTimerTask;
import gov.nist.javax.sip.stack.timers.SipTimer;
import java.lang.ref.WeakReference;
import java.util.Date;
import java.util.Properties;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP stack's timer, with every task's time rounded up to the next multiple of {@link #GRID_MILLIS} ms.
 * JAIN-SIP schedules a handful of tasks per call (transactions ticking every 500 ms, Timers J, K and D, linger and
 * dialog timers), each due at its own millisecond: its default timer woke its thread for nearly every one, about
 * four times per call, and on a virtual machine the wake-up costs more than the task. Here the tasks that fall in one
 * slot share a wake-up (at most 1000 / {@value #GRID_MILLIS} a second under load, none while idle), each at most
 * one slot late, which SIP's timers (T1 = 500 ms and up) do not notice. Named by
 * {@code gov.nist.javax.sip.TIMER_CLASS_NAME}.
 */
public final class CoalescingSipTimer implements SipTimer {

    private static final Logger LOG = LoggerFactory.getLogger(CoalescingSipTimer.class);
    static final long GRID_MILLIS = 20;
    /**
     * JAIN-SIP (1.3.0-91) gives every dialog whose INVITE we sent a task due 64*T1 (32 s) after the 200, which only
     * checks, when it runs, that the ACK went out, and never cancels it. Held by the timer, it kept that dialog and,
     * through its application data, the whole ended call alive for 32 s, most of what the young collections copied
     * at load (BENCHMARKS.md, "What an ended call leaves behind"). The timer holds it weakly: the dialog holds its
     * own task, so while the stack still has the dialog the task runs as before; once the dialog is gone, there is
     * nothing left for it to delete.
     */
    static final String DIALOG_DELETE_IF_NO_ACK_SENT =
            "gov.nist.javax.sip.stack.SIPDialog$DialogDeleteIfNoAckSentTask";

    private final AtomicBoolean started = new AtomicBoolean();
    private final Predicate<SIPStackTimerTask> heldWeakly;
    // java.util.Timer runs every task already due before it waits again: tasks of one slot, one wake-up
    private volatile Timer timer;

    /** As the SIP stack makes it (by class name). */
    public CoalescingSipTimer() {
        this(task -> task.getClass().getName().equals(DIALOG_DELETE_IF_NO_ACK_SENT));
    }

    /** With {@code heldWeakly} naming the one-shot tasks the timer holds weakly (their owner holds them). */
    CoalescingSipTimer(Predicate<SIPStackTimerTask> heldWeakly) {
        this.heldWeakly = heldWeakly;
    }

    @Override
    public void start(SipStackImpl stack, Properties configuration) {
        timer = new Timer("sip-timer", true);
        started.set(true);
    }

    @Override
    public boolean isStarted() {
        return started.get();
    }

    @Override
    public void stop() {
        if (started.getAndSet(false)) {
            timer.cancel(); // what was still scheduled is dropped, as the stack stops
        }
    }

    @Override
    public boolean schedule(SIPStackTimerTask task, long delayMillis) {
        return add(task, delayMillis, 0);
    }

    @Override
    public boolean scheduleWithFixedDelay(SIPStackTimerTask task, long delayMillis, long periodMillis) {
        return add(task, delayMillis, periodMillis);
    }

    @Override
    public boolean cancel(SIPStackTimerTask task) {
        return task.getSipTimerTask() instanceof Entry entry && entry.cancel();
    }

    /** The first multiple of the grid at or after {@code millis}. */
    static long slot(long millis) {
        return (millis + GRID_MILLIS - 1) / GRID_MILLIS * GRID_MILLIS;
    }

    private boolean add(SIPStackTimerTask task, long delayMillis, long periodMillis) {
        if (!started.get()) {
            throw new IllegalStateException("the SIP stack's timer is stopped; no new task can be scheduled");
        }
        Entry entry = new Entry(task, periodMillis, periodMillis == 0 && heldWeakly.test(task));
        task.setSipTimerTask(entry); // the task holds its entry: what keeps a weakly held entry alive
        entry.next(delayMillis);
        return true;
    }

    /** One scheduled task: run once, or again {@code periodMillis} after each run ends, until cancelled. */
    private final class Entry {
        private final SIPStackTimerTask task;
        private final long periodMillis;
        private final boolean weakly;
        private volatile boolean cancelled;
        private volatile Slot pending;

        Entry(SIPStackTimerTask task, long periodMillis, boolean weakly) {
            this.task = task;
            this.periodMillis = periodMillis;
            this.weakly = weakly;
        }

        void next(long delayMillis) {
            Slot run = new Slot(this, weakly);
            pending = run;
            try {
                timer.schedule(run, new Date(slot(System.currentTimeMillis() + delayMillis)));
            } catch (IllegalStateException stopped) {
                // the stack stopped the timer meanwhile: nothing more will run
            }
        }

        private void runOnce() {
            if (cancelled) {
                return;
            }
            try {
                task.runTask();
            } catch (Throwable e) {
                // as JAIN-SIP's own timer: logged, and the timer's thread (and every other task) goes on
                LOG.error("a SIP stack timer task failed", e);
            }
            if (periodMillis > 0 && !cancelled && started.get()) {
                next(periodMillis);
            }
        }

        /** As JAIN-SIP's timers do: the task cleans up, and it never runs again. */
        boolean cancel() {
            if (cancelled) {
                return false;
            }
            cancelled = true;
            task.cleanUpBeforeCancel();
            Slot current = pending;
            if (current == null) {
                return true; // cancelled between add's setSipTimerTask and its first next(): nothing was scheduled
            }
            current.release(); // the timer's queue keeps a cancelled task until its time: let it hold nothing
            return current.cancel() || periodMillis > 0;
        }
    }

    /** One run of an entry in the timer's queue, holding it strongly or weakly. */
    private static final class Slot extends TimerTask {
        private volatile Entry entry;
        private final WeakReference<Entry> weak;

        Slot(Entry entry, boolean weakly) {
            this.entry = weakly ? null : entry;
            this.weak = weakly ? new WeakReference<>(entry) : null;
        }

        void release() {
            entry = null;
            if (weak != null) {
                weak.clear();
            }
        }

        @Override
        public void run() {
            Entry e = weak == null ? entry : weak.get();
            if (e != null) {
                e.runOnce();
            }
        }
    }
}
