package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPStackTimerTask;
import gov.nist.javax.sip.stack.timers.SipTimer;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP stack's timer on a hashed wheel that turns every {@link #TICK_MILLIS} ms. JAIN-SIP gives every
 * transaction a task repeating every 500 ms for as long as the transaction lives (32 s for a BYE over UDP), so a
 * bridge at 100 calls/s holds thousands of them, each due at its own millisecond: its default timer
 * ({@code java.util.Timer}) woke its thread for nearly every one, and on a virtual machine the wake-up costs more
 * than the task. The wheel runs whatever fell due in a tick together, at most {@value #TICK_MILLIS} ms late, which
 * SIP's timers (T1 = 500 ms and up) do not notice. Named by {@code gov.nist.javax.sip.TIMER_CLASS_NAME}.
 */
public final class WheelSipTimer implements SipTimer {

    private static final Logger LOG = LoggerFactory.getLogger(WheelSipTimer.class);
    static final long TICK_MILLIS = 20;

    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Timer wheel;

    @Override
    public void start(SipStackImpl stack, Properties configuration) {
        wheel = new HashedWheelTimer(r -> {
            Thread t = new Thread(r, "sip-timer");
            t.setDaemon(true);
            return t;
        }, TICK_MILLIS, TimeUnit.MILLISECONDS, 512);
        started.set(true);
    }

    @Override
    public boolean isStarted() {
        return started.get();
    }

    @Override
    public void stop() {
        if (started.getAndSet(false)) {
            wheel.stop(); // waits for the wheel's thread; what was still scheduled is dropped, as the stack stops
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
        if (task.getSipTimerTask() instanceof Entry entry) {
            return entry.cancel();
        }
        return false;
    }

    private boolean add(SIPStackTimerTask task, long delayMillis, long periodMillis) {
        if (!started.get()) {
            throw new IllegalStateException("the SIP stack's timer is stopped; no new task can be scheduled");
        }
        Entry entry = new Entry(task, periodMillis);
        task.setSipTimerTask(entry);
        entry.next(delayMillis);
        return true;
    }

    /** One scheduled task: run once, or again {@code periodMillis} after each run ends, until cancelled. */
    private final class Entry implements TimerTask {
        private final SIPStackTimerTask task;
        private final long periodMillis;
        private volatile boolean cancelled;
        private volatile Timeout timeout;

        Entry(SIPStackTimerTask task, long periodMillis) {
            this.task = task;
            this.periodMillis = periodMillis;
        }

        void next(long delayMillis) {
            try {
                timeout = wheel.newTimeout(this, delayMillis, TimeUnit.MILLISECONDS);
            } catch (IllegalStateException stopped) {
                // the stack stopped the timer meanwhile: nothing more will run
            }
        }

        @Override
        public void run(Timeout expired) {
            if (cancelled) {
                return;
            }
            try {
                task.runTask();
            } catch (Throwable e) {
                LOG.error("a SIP stack timer task failed", e); // as JAIN-SIP's own timer: the others go on
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
            Timeout current = timeout;
            return current == null || current.cancel() || periodMillis > 0;
        }
    }
}
