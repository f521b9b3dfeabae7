package org.wabridge.media.relay;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.media.MediaEvents;

/**
 * A packet sent by the event loop straight onto its epoll socket: one {@code sendto} from native memory, as Netty's
 * own write would end, without what leads there per packet (a pooled buffer, a {@code DatagramPacket}, the pipeline,
 * the outbound queue and its flush: part of the 16 % of the relay's CPU that Netty took in BENCHMARKS.md run 18's
 * profile). Only on the socket's own loop: there nothing else writes to or closes the socket meanwhile. Other engines
 * and other threads take Netty's way ({@link #socketOf} gives null, {@link #send} false). One per relay, which
 * counts what the kernel refused ({@link #dropped}, the metric {@code wabridge_media_unsent_packets_total}).
 */
public final class DirectSend {

    private static final Logger LOG = LoggerFactory.getLogger(DirectSend.class);
    /** The longest packet sent this way; a longer one (none is, with audio) takes Netty's way. */
    static final int MAX_LENGTH = 2048;
    private static final long WARNING_INTERVAL_MILLIS = 60_000;
    /** One native buffer per event loop thread, where the packet is copied for the kernel. */
    private static final FastThreadLocal<ByteBuffer> BUFFER = new FastThreadLocal<>() {
        @Override
        protected ByteBuffer initialValue() {
            return ByteBuffer.allocateDirect(MAX_LENGTH);
        }
    };
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(-WARNING_INTERVAL_MILLIS);

    /** The socket {@code channel} can be written to directly, or null (not epoll). */
    static Socket socketOf(Channel channel) {
        return channel instanceof EpollDatagramChannel epoll && epoll.fd() instanceof Socket socket ? socket : null;
    }

    /**
     * Sends {@code packet[0, length)} to {@code to} on {@code socket}, {@code channel}'s, when called on the
     * channel's loop; {@code tap} (nullable) sees it first. False: not done, the caller writes it Netty's way.
     * The socket is checked open first: a closed socket's number may already be another call's socket, which must
     * never send this call's packet. A packet the kernel refuses (its send buffer full, a send error) is dropped,
     * as real-time media must be, counted, and logged at most once a minute.
     */
    boolean send(Channel channel, Socket socket, byte[] packet, int length, InetSocketAddress to,
            MediaEvents tap) {
        if (socket == null || length > MAX_LENGTH || !channel.eventLoop().inEventLoop()) {
            return false;
        }
        if (!socket.isOpen()) {
            return true; // the call's socket is closed: its packets have nowhere to go
        }
        if (tap != null) {
            tap.packet((InetSocketAddress) channel.localAddress(), to, packet, length);
        }
        ByteBuffer buffer = BUFFER.get();
        buffer.clear();
        buffer.put(packet, 0, length);
        String failure;
        try {
            if (socket.sendTo(buffer, 0, length, to.getAddress(), to.getPort()) > 0) {
                return true;
            }
            failure = "the socket's send buffer is full";
        } catch (IOException e) {
            failure = e.toString();
        }
        long droppedSoFar = dropped.incrementAndGet();
        long now = NettyMediaSession.now();
        long last = lastWarning.get();
        if (now - last >= WARNING_INTERVAL_MILLIS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("media port {}: a packet to {} is dropped: {} ({} dropped so far)",
                    ((InetSocketAddress) channel.localAddress()).getPort(), to, failure, droppedSoFar);
        }
        return true;
    }

    /** Packets the kernel refused, all of this relay's loops, since the start. */
    public long dropped() {
        return dropped.get();
    }
}
