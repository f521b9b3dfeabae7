package org.wabridge.media.relay;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The 20 ms clock of one event loop: it ticks the loop's calls (silence fill, SRTCP reports, media timeouts, DTLS
 * and ICE retransmissions) and expires its shared ports' parked packets. One timer per loop, not one per call; and
 * none while the loop has neither a call nor a parked packet, so an idle relay does not wake 50 times a second per
 * loop for nothing (an idle relay's two loops spent 6.5 ms of CPU a second on it on the test box, BENCHMARKS.md).
 */
public final class LoopClock {

    static final long TICK_MILLIS = 20;

    /** What the clock ticks: a call's media ({@link NettyMediaSession}). */
    public interface Ticked {
        void tick(long now);
    }

    private final EventLoop loop;
    private final Set<Ticked> sessions = ConcurrentHashMap.newKeySet();
    private volatile SharedMediaPorts shared;
    /** Loop thread only (volatile for {@link #ticking()}): the running timer, null while stopped. */
    private volatile ScheduledFuture<?> timer;
    /** Loop thread only. */
    private long lastTick;

    public LoopClock(EventLoop loop) {
        this.loop = loop;
    }

    /** The loop's shared ports, whose parked packets this clock expires; set once, before any call. */
    public void tickShared(SharedMediaPorts ports) {
        this.shared = ports;
    }

    /** A call now on this loop: ticked from the next tick on. Any thread. */
    public void add(Ticked session) {
        sessions.add(session);
        wake();
    }

    /** The call ended; the timer stops at its next tick if nothing else needs it. Any thread. */
    public void remove(Ticked session) {
        sessions.remove(session);
    }

    /** Starts the timer if it is stopped and something needs it. Any thread. */
    public void wake() {
        if (loop.inEventLoop()) {
            start();
            return;
        }
        try {
            loop.execute(this::start);
        } catch (RejectedExecutionException e) {
            // the relay is shutting down: nothing to tick any more
        }
    }

    /** True while the timer runs (tests). */
    boolean ticking() {
        return timer != null;
    }

    private boolean needed() {
        SharedMediaPorts ports = shared;
        return !sessions.isEmpty() || (ports != null && ports.hasParked());
    }

    private void start() {
        if (timer == null && needed()) {
            lastTick = NettyMediaSession.now() - TICK_MILLIS;
            try {
                timer = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // the relay is shutting down
            }
        }
    }

    /**
     * A fixed-rate timer that fell behind (a busy or starved loop) fires its missed runs back to back: those are
     * skipped, so an overloaded relay does not add bursts of silence and reports on top of the packets it is late
     * with.
     */
    private void tick() {
        long now = NettyMediaSession.now();
        if (now - lastTick >= TICK_MILLIS / 2) {
            lastTick = now;
            for (Ticked session : sessions) {
                session.tick(now);
            }
        }
        SharedMediaPorts ports = shared;
        if (ports != null) {
            ports.expireParked(now);
        }
        if (!needed()) {
            timer.cancel(false); // a call added meanwhile has queued a start() behind this tick
            timer = null;
        }
    }
}
