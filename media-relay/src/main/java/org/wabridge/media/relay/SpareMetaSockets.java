package org.wabridge.media.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meta sockets bound ahead on one event loop ({@code media.sharedPorts}): a call opened on the loop's shared PBX
 * ports takes one instead of binding its own and waiting for the loop, which at a few hundred calls is busy with
 * their media. The loop binds replacements in the background; each spare holds a block of the port range.
 */
public final class SpareMetaSockets {

    private static final Logger LOG = LoggerFactory.getLogger(SpareMetaSockets.class);

    /** A bound Meta socket, port base+2 of block {@code base}. */
    public record Spare(int base, Channel channel) {}

    /** Binds port {@code port} on the loop without waiting; null when it cannot even start. */
    @FunctionalInterface
    public interface Binder {
        ChannelFuture bind(int port);
    }

    private final EventLoop loop;
    private final PortBlocks ports;
    private final Binder binder;
    private final int target;
    private final ConcurrentLinkedQueue<Spare> spares = new ConcurrentLinkedQueue<>();
    /** Spares ready plus binds under way: the refill binds up to {@link #target} of them. */
    private final AtomicInteger held = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param target how many spares the loop keeps ready: enough for a burst of calls between two of its turns
     */
    public SpareMetaSockets(EventLoop loop, PortBlocks ports, Binder binder, int target) {
        this.loop = loop;
        this.ports = ports;
        this.binder = binder;
        this.target = target;
        refillSoon();
    }

    /** A ready socket, or null when none is (the caller binds its own); a replacement is bound in the background. */
    public Spare take() {
        Spare spare = spares.poll();
        if (spare != null) {
            held.decrementAndGet();
        }
        refillSoon();
        return spare;
    }

    /**
     * For a call that found neither a ready spare nor a free block: the range's last blocks may be in binds under
     * way, so this waits (a few turns of the loop) for them before saying there is none. Never on the loop.
     */
    public Spare takeAfterPendingBinds() {
        for (int turn = 0; turn < 4 && !loop.inEventLoop() && held.get() > spares.size(); turn++) {
            try {
                loop.submit(() -> { }).get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                break;
            }
            Spare spare = take();
            if (spare != null) {
                return spare;
            }
        }
        return take();
    }

    /** Spares ready now (tests). */
    int ready() {
        return spares.size();
    }

    private void refillSoon() {
        if (closed || held.get() >= target) {
            return;
        }
        try {
            loop.execute(this::refill);
        } catch (RejectedExecutionException e) {
            LOG.debug("media relay shutting down: no spare Meta sockets bound");
        }
    }

    /** On the loop: starts binds until ready and pending spares reach the target, or the range has no free block. */
    private void refill() {
        while (!closed && held.get() < target) {
            int base = ports.take();
            if (base < 0) {
                return; // calls hold the whole range; spares come back as they end
            }
            held.incrementAndGet();
            ChannelFuture bind = binder.bind(base + 2);
            if (bind == null) {
                held.decrementAndGet();
                ports.release(base);
                return;
            }
            bind.addListener(f -> bound(base, bind));
        }
    }

    private void bound(int base, ChannelFuture bind) {
        if (!bind.isSuccess()) {
            held.decrementAndGet();
            ports.release(base); // something else holds the port: the next refill tries another block
            LOG.debug("spare Meta socket on port {} not bound: {}", base + 2, bind.cause().toString());
            return;
        }
        if (closed) {
            held.decrementAndGet();
            bind.channel().close().addListener(f -> ports.release(base));
            return;
        }
        spares.add(new Spare(base, bind.channel()));
    }

    /**
     * Closes the spares, waiting (bounded) until they are closed, and gives their blocks back; later takes find
     * none. Not on the loop.
     */
    public void close() {
        closed = true;
        Spare spare;
        while ((spare = spares.poll()) != null) {
            held.decrementAndGet();
            spare.channel().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            ports.release(spare.base());
        }
    }
}
