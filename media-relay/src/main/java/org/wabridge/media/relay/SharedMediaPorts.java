package org.wabridge.media.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Socket;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.media.MediaEvents;

/**
 * The two PBX sockets one event loop's calls share ({@code media.sharedPorts}): RTP and RTCP, at base and base+1 of
 * one port block. A packet goes to the call whose SDP names its sender's address (the PBX must send symmetric RTP
 * from its SDP address: no latching here). What several calls send while one batch of packets is read, or in one
 * turn of the loop, leaves in one {@code sendmmsg} per socket: fewer system calls per packet is what this layout is
 * for (BENCHMARKS.md, "socket layout").
 *
 * <p>Each call still faces Meta from a port of its own. Meta's media relays serve all their calls from one address
 * and port (3480 and a few others), so two live calls often name the same Meta address, and no one can tell two
 * calls apart on one pair of addresses: DTLS records carry nothing of the call, and Meta maps our media address to
 * its call. The PBX gives every call a port of its own, so its side can be shared.
 *
 * <p>A PBX may send before the bridge has read the SDP that names it (it plays its greeting as it sends its 200 OK):
 * such packets are parked for {@value #PARK_MILLIS} ms and handed to the call once its SDP routes their address, so
 * the first words are not clipped. Only packets still unrouted after that are dropped and counted.
 */
public final class SharedMediaPorts {

    private static final Logger LOG = LoggerFactory.getLogger(SharedMediaPorts.class);
    private static final long UNMATCHED_WARNING_INTERVAL_MILLIS = 60_000;
    /** Packets written before a flush inside a batch: one sendmmsg's worth, as many as one recvmmsg reads. */
    private static final int FLUSH_EVERY = 16;
    /** How long a packet from an address no SDP names yet waits for one. */
    static final long PARK_MILLIS = 500;
    /** Parked packets at most (all sockets): a stranger's flood cannot grow the heap. */
    private static final int MAX_PARKED = 256;

    private record Parked(int socket, InetSocketAddress from, byte[] data, long at) {}

    /** Where a socket's packets go: one call's receiver, or a shared socket's dispatcher. */
    interface Route {
        void onPacket(Channel channel, DatagramPacket packet);

        /** The socket's current batch of reads is done. */
        default void readComplete() {
        }

        default void onException(Throwable cause) {
        }
    }

    private final int basePort;
    private final Channel[] channels;
    /** Run on the loop when a packet is parked while none was: the loop's clock must run to expire it. */
    private final Runnable firstParked;
    private final List<Map<InetSocketAddress, Route>> routes = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    private final AtomicLong unmatched = new AtomicLong();
    /** Loop thread only: true while a batch of reads is being handled, so writes wait for its end to be flushed. */
    private boolean inReadBatch;
    /** Loop thread only: sockets written to and not flushed yet (the shared PBX socket and calls' Meta sockets). */
    private final List<Channel> unflushed = new ArrayList<>();
    private int unflushedPackets;
    /** Loop thread only: a flush is queued behind this turn of the loop's reads. */
    private boolean flushQueued;
    private final Runnable queuedFlush = () -> {
        flushQueued = false;
        flush();
    };
    private long lastUnmatchedWarning = -UNMATCHED_WARNING_INTERVAL_MILLIS;
    private final AtomicLong lastTakeOverWarning = new AtomicLong(-UNMATCHED_WARNING_INTERVAL_MILLIS);
    /** Loop thread only: packets from addresses no SDP named yet, oldest first. */
    private final ArrayDeque<Parked> parked = new ArrayDeque<>();
    /**
     * Whether {@link #parked} holds anything: written by the loop, read by {@link #route} on a call's thread, which
     * then wakes the loop only when a packet may be waiting for the new route (most calls have none).
     */
    private volatile boolean anyParked;
    /**
     * Loop thread only: per socket, how many of {@link #parked} each sender has. A routed packet looks its sender up
     * here instead of walking the queue, which a stranger's flood keeps full.
     */
    private final List<Map<InetSocketAddress, Integer>> parkedBySender = List.of(new HashMap<>(), new HashMap<>());

    /**
     * @param channels    PBX RTP and PBX RTCP sockets, both on one event loop, each bound with
     *                    {@link NettyMediaSession#inboundHandler()}
     * @param firstParked run on the loop when a packet is parked while none was ({@link LoopClock#wake()})
     */
    public SharedMediaPorts(int basePort, Channel[] channels, Runnable firstParked) {
        this.basePort = basePort;
        this.channels = channels.clone();
        this.firstParked = firstParked;
        for (int i = 0; i < channels.length; i++) {
            NettyMediaSession.attach(channels[i], new Dispatcher(i));
        }
    }

    public int basePort() {
        return basePort;
    }

    /** Packets that came from an address no call's SDP names (dropped). */
    public long unmatchedPackets() {
        return unmatched.get();
    }

    /**
     * Sends {@code from}'s packets on socket {@code socket} (0 PBX RTP, 1 PBX RTCP) to {@code route}, and no
     * longer {@code previous}'s (an address the call's SDP named before; may be null).
     */
    void route(int socket, InetSocketAddress previous, InetSocketAddress from, Route route) {
        Map<InetSocketAddress, Route> table = routes.get(socket);
        if (previous != null && !previous.equals(from)) {
            table.remove(previous, route);
        }
        if (from != null) {
            Route before = table.put(from, route);
            if (before != null && before != route) {
                takenOver(socket, from);
            }
            // A packet parked after this check finds the route itself (park looks again): no wake-up is lost.
            if (before != route && anyParked) {
                try {
                    channels[socket].eventLoop().execute(() -> deliverParked(socket, from));
                } catch (RejectedExecutionException e) {
                    LOG.debug("shared media port {}: relay shutting down, parked packets of {} stay", basePort + socket,
                            from);
                }
            }
        }
    }

    /**
     * Two live calls' SDPs name the same address (a peer that gives every call one media port): the later call gets
     * its packets. Logged at most once a minute: at a few calls a second it would otherwise flood the log.
     */
    private void takenOver(int socket, InetSocketAddress from) {
        long now = NettyMediaSession.now();
        long last = lastTakeOverWarning.get();
        if (now - last >= UNMATCHED_WARNING_INTERVAL_MILLIS && lastTakeOverWarning.compareAndSet(last, now)) {
            LOG.warn("shared media port {}: {} is now another call's media address; the earlier call no longer"
                    + " receives from it (a peer that uses one media port for all its calls needs"
                    + " media.sharedPorts: false)", basePort + socket, from);
        } else {
            LOG.debug("shared media port {}: {} is now another call's media address", basePort + socket, from);
        }
    }

    /** On the loop, once a route for {@code from} exists: hands it what waited for it. */
    private void deliverParked(int socket, InetSocketAddress from) {
        Route route = routes.get(socket).get(from);
        if (route == null || !parkedBySender.get(socket).containsKey(from)) {
            return;
        }
        inReadBatch = true;
        deliverParked(socket, from, route);
        flush();
        inReadBatch = false;
    }

    /** Hands what {@code from} sent before its route existed to {@code route}, in arrival order. */
    private void deliverParked(int socket, InetSocketAddress from, Route route) {
        parkedBySender.get(socket).remove(from);
        for (Iterator<Parked> it = parked.iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (p.socket() == socket && p.from().equals(from)) {
                it.remove();
                InetSocketAddress local = channels[socket].localAddress() instanceof InetSocketAddress a ? a : null;
                DatagramPacket packet = new DatagramPacket(Unpooled.wrappedBuffer(p.data()), local, from);
                try {
                    route.onPacket(channels[socket], packet);
                } finally {
                    packet.release();
                }
            }
        }
        anyParked = !parked.isEmpty();
    }

    /** On the loop's 20 ms tick: drops and counts what waited {@value #PARK_MILLIS} ms for a route in vain. */
    public void expireParked(long now) {
        while (!parked.isEmpty() && now - parked.peekFirst().at() >= PARK_MILLIS) {
            dropOldestParked(now);
        }
    }

    private void park(int socket, InetSocketAddress from, byte[] data, long now) {
        if (parked.size() >= MAX_PARKED) {
            dropOldestParked(now);
        }
        boolean first = parked.isEmpty();
        parked.addLast(new Parked(socket, from, data, now));
        parkedBySender.get(socket).merge(from, 1, Integer::sum);
        anyParked = true;
        // route() may have added the route after this packet's lookup, and seen nothing parked: deliver it now
        Route late = routes.get(socket).get(from);
        if (late != null) {
            deliverParked(socket, from, late);
            return;
        }
        if (first) {
            firstParked.run();
        }
    }

    /** Loop thread: packets wait for a route, so the loop's clock must keep running to expire them. */
    boolean hasParked() {
        return !parked.isEmpty();
    }

    /** Senders with packets parked now (all sockets), for tests: strangers must not stay here. */
    int parkedSenders() {
        return parkedBySender.stream().mapToInt(Map::size).sum();
    }

    private void dropOldestParked(long now) {
        Parked p = parked.pollFirst();
        parkedBySender.get(p.socket()).computeIfPresent(p.from(), (from, n) -> n > 1 ? n - 1 : null);
        anyParked = !parked.isEmpty();
        unrouted(p.from(), now);
    }

    private void unrouted(InetSocketAddress from, long now) {
        unmatched.incrementAndGet();
        if (now - lastUnmatchedWarning >= UNMATCHED_WARNING_INTERVAL_MILLIS) {
            lastUnmatchedWarning = now;
            LOG.warn("shared media port: a packet from {} matches no call's SDP address and is dropped ({} so far)."
                    + " A PBX behind NAT, or one that sends from another port than its SDP names, needs"
                    + " media.sharedPorts: false", from, unmatched.get());
        }
    }

    /** Stops routing {@code from} to {@code route} (the call ended); a later call's route for it stays. */
    void unroute(int socket, InetSocketAddress from, Route route) {
        if (from != null) {
            routes.get(socket).remove(from, route);
        }
    }

    /**
     * Writes toward the PBX on the shared RTP socket and toward Meta on the call's own socket. On the loop a write to
     * the PBX is flushed at the end of the read batch, or of the loop's turn (its reads of every ready socket), so
     * that several calls' packets leave in one {@code sendmmsg}; off the loop (a DTLS handshake's thread) at once.
     * A packet to Meta leaves at once: a call's own socket takes one {@code sendto} per packet either way, and on
     * epoll the loop makes it itself ({@link DirectSend}).
     */
    public PacketSink sink(Channel meta, MediaEvents tap, DirectSend direct) {
        Socket metaSocket = DirectSend.socketOf(meta);
        return new PacketSink() {
            @Override
            public void toPbx(byte[] packet, int length, InetSocketAddress to) {
                write(channels[NettyMediaSession.PBX_RTP], packet, length, to, tap);
            }

            @Override
            public void toMeta(byte[] packet, int length, InetSocketAddress to) {
                if (!direct.send(meta, metaSocket, packet, length, to, tap)) {
                    write(meta, packet, length, to, tap);
                }
            }
        };
    }

    private void write(Channel channel, byte[] packet, int length, InetSocketAddress to, MediaEvents tap) {
        if (tap != null) {
            tap.packet((InetSocketAddress) channel.localAddress(), to, packet, length);
        }
        ByteBuf out = channel.alloc().directBuffer(length, length);
        out.writeBytes(packet, 0, length);
        DatagramPacket datagram = new DatagramPacket(out, to);
        if (!channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(datagram, channel.voidPromise());
            return;
        }
        channel.write(datagram, channel.voidPromise());
        if (!unflushed.contains(channel)) {
            unflushed.add(channel);
        }
        if (++unflushedPackets >= FLUSH_EVERY) {
            flush(); // a long batch (hundreds of packets) must not hold its first packets back until its end
        } else if (!inReadBatch && !flushQueued) {
            // a call's Meta socket or the clock wrote: the queued task runs once the loop has read every ready socket
            flushQueued = true;
            try {
                channel.eventLoop().execute(queuedFlush);
            } catch (RejectedExecutionException e) {
                flushQueued = false; // the relay is shutting down: send now rather than never
                flush();
            }
        }
    }

    private void flush() {
        for (Channel c : unflushed) {
            c.flush();
        }
        unflushed.clear();
        unflushedPackets = 0;
    }

    /** Closes the shared sockets and waits (bounded) until they are closed: io_uring closes them asynchronously. */
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** One shared socket's reader: routes each packet, then flushes what the batch wrote. */
    private final class Dispatcher implements Route {
        private final int socket;

        Dispatcher(int socket) {
            this.socket = socket;
        }

        @Override
        public void onPacket(Channel channel, DatagramPacket packet) {
            inReadBatch = true;
            Route route = routes.get(socket).get(packet.sender());
            if (route != null) {
                if (parkedBySender.get(socket).containsKey(packet.sender())) {
                    deliverParked(socket, packet.sender(), route); // they came first, they go first
                }
                route.onPacket(channel, packet);
                return;
            }
            ByteBuf content = packet.content();
            byte[] data = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), data);
            park(socket, packet.sender(), data, NettyMediaSession.now());
        }

        @Override
        public void readComplete() {
            flush();
            inReadBatch = false;
        }

        @Override
        public void onException(Throwable cause) {
            LOG.debug("shared media port {}: socket error: {}", basePort + socket, cause.toString());
        }
    }
}
