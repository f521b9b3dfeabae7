package org.wabridge.b2bua.ops;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallEvent;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.SipMessageEvent;

/**
 * Hands every call event to several observers in order. An observer that throws is logged and skipped
 * for that event, so the call log or the metrics can never break a call.
 */
public final class FanOutObserver implements CallObserver {

    private static final Logger LOG = LoggerFactory.getLogger(FanOutObserver.class);

    private final List<CallObserver> observers;
    private final AtomicLong failures = new AtomicLong();

    public FanOutObserver(List<CallObserver> observers) {
        this.observers = List.copyOf(observers);
    }

    @Override
    public void callStarted(CallStart start) {
        each(o -> o.callStarted(start));
    }

    @Override
    public void sipMessage(SipMessageEvent message) {
        each(o -> o.sipMessage(message));
    }

    @Override
    public void callEvent(CallEvent event) {
        each(o -> o.callEvent(event));
    }

    @Override
    public void callEnded(CallEnd end) {
        each(o -> o.callEnded(end));
    }

    /** Events an observer failed on since start. */
    public long failures() {
        return failures.get();
    }

    private void each(Consumer<CallObserver> delivery) {
        for (CallObserver o : observers) {
            try {
                delivery.accept(o);
            } catch (RuntimeException e) {
                long n = failures.incrementAndGet();
                // The first failure with its stack, then every 1000th: a broken observer must not flood the log.
                if (n == 1) {
                    LOG.warn("call observer {} failed; the call goes on", o.getClass().getSimpleName(), e);
                } else if (n % 1000 == 0) {
                    LOG.warn("call observers failed {} times so far; last: {}", n, e.toString());
                }
            }
        }
    }
}
