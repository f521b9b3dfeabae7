package org.wabridge.media.dtls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: two endpoints back to back in memory. Datagrams are grouped into bursts (a flight is
 * written back to back by one thread; a burst ends when its sender has been quiet for
 * {@link #BURST_WINDOW_MILLIS}), and a {@link Policy} decides what each burst becomes on the wire: delivered as is,
 * reordered, or partly or wholly dropped. Delivery runs on the pipe's own thread.
 */
final class MemoryPipe implements AutoCloseable {

    static final long BURST_WINDOW_MILLIS = 8;

    enum Direction { CLIENT_TO_SERVER, SERVER_TO_CLIENT }

    /**
     * What the wire does with the {@code burstIndex}-th burst in a direction: the datagrams to deliver
     * now, in order (a policy may keep some and deliver them with a later burst).
     */
    @FunctionalInterface
    interface Policy {
        List<byte[]> arrange(Direction direction, int burstIndex, List<byte[]> burst);

        Policy PERFECT = (direction, burstIndex, burst) -> burst;
    }

    /** One datagram on the wire; {@code dropped}: not delivered with its burst (lost, or held by the policy). */
    record Event(Direction direction, int burst, List<String> records, int size, boolean dropped) {
    }

    private final Policy policy;
    private final ScheduledExecutorService wire = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "memory-pipe");
        t.setDaemon(true);
        return t;
    });
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final DirectionState toServer = new DirectionState(Direction.CLIENT_TO_SERVER);
    private final DirectionState toClient = new DirectionState(Direction.SERVER_TO_CLIENT);
    private volatile DtlsEndpoint client;
    private volatile DtlsEndpoint server;

    MemoryPipe(Policy policy) {
        this.policy = policy;
    }

    void connect(DtlsEndpoint clientSide, DtlsEndpoint serverSide) {
        this.client = clientSide;
        this.server = serverSide;
    }

    DtlsEndpoint.Sink fromClient() {
        return toServer::add;
    }

    DtlsEndpoint.Sink fromServer() {
        return toClient::add;
    }

    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    int maxDatagramSize() {
        return events().stream().mapToInt(Event::size).max().orElse(0);
    }

    long dropped() {
        return events().stream().filter(Event::dropped).count();
    }

    String ladder() {
        StringBuilder sb = new StringBuilder();
        for (Event e : events()) {
            sb.append(e.direction() == Direction.CLIENT_TO_SERVER ? "C->S" : "S->C").append(" burst ").append(e.burst())
                    .append(' ').append(e.records()).append(' ').append(e.size()).append(" B")
                    .append(e.dropped() ? " DROPPED" : "").append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        wire.shutdownNow();
    }

    private final class DirectionState {
        private final Direction direction;
        private int bursts;
        private int pendingIndex;
        private List<byte[]> pending;
        private ScheduledFuture<?> flush;

        DirectionState(Direction direction) {
            this.direction = direction;
        }

        /** A burst ends once the sender has been quiet for the window (a flight may need signing in between). */
        synchronized void add(byte[] datagram) {
            if (pending == null) {
                pending = new ArrayList<>();
                pendingIndex = bursts++;
            }
            pending.add(datagram);
            if (flush != null) {
                flush.cancel(false);
            }
            flush = wire.schedule(this::flush, BURST_WINDOW_MILLIS, TimeUnit.MILLISECONDS);
        }

        private void flush() {
            List<byte[]> burst;
            int index;
            synchronized (this) {
                burst = pending;
                index = pendingIndex;
                pending = null;
                flush = null;
            }
            if (burst == null) {
                return;
            }
            List<byte[]> delivered = policy.arrange(direction, index, burst);
            for (byte[] d : burst) {
                if (delivered.stream().noneMatch(x -> x == d)) {
                    events.add(new Event(direction, index, DtlsDatagrams.describe(d), d.length, true));
                }
            }
            DtlsEndpoint to = direction == Direction.CLIENT_TO_SERVER ? server : client;
            for (byte[] d : delivered) {
                events.add(new Event(direction, index, DtlsDatagrams.describe(d), d.length, false));
                to.receive(d, 0, d.length);
            }
        }
    }
}
