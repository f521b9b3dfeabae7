package org.wabridge.media.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaStats;
import org.wabridge.media.SdpException;
import org.wabridge.media.srtp.PacketBuffer;

/**
 * The thin Netty adapter of one call: three sockets on one event loop feeding a {@link CallMedia}: all its own, or
 * its own Meta socket and the PBX sockets its loop's calls share ({@link SharedMediaPorts}); its clock ticks come
 * from the loop's shared 20 ms timer ({@link #tick}).
 */
public final class NettyMediaSession implements MediaSession, LoopClock.Ticked {

    private static final Logger LOG = LoggerFactory.getLogger(NettyMediaSession.class);
    static final int PBX_RTP = 0;
    static final int PBX_RTCP = 1;
    static final int META = 2;

    private final String callId;
    private final EventLoop loop;
    /** The call's own sockets: PBX RTP, PBX RTCP and Meta, or only Meta when the PBX ones are {@link #shared}. */
    private final Channel[] channels;
    /** The PBX sockets of the loop's calls; null when the call has PBX sockets of its own. */
    private final SharedMediaPorts shared;
    private final Receiver[] receivers;
    /** The PBX's address the shared sockets route to this call (guarded by this). */
    private InetSocketAddress routedPbx;
    /** The first port of the call's own block. */
    private final int basePort;
    private final CallMedia media;
    private final Consumer<NettyMediaSession> onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean startRequested = new AtomicBoolean();
    private final CompletableFuture<Void> released = new CompletableFuture<>();
    /**
     * The array every packet is read into and processed in (SRTP in place, trailer room included), one per event
     * loop thread rather than one per call (1.5 KB of heap per call less): a packet is handled to the end on its
     * loop before the next is read, and nothing downstream keeps the array (the prebuffer and the DTLS queue copy
     * what they keep; the sink copies into a socket buffer).
     */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_BYTES];
        }
    };
    private static final int SCRATCH_BYTES = 1500 + PacketBuffer.TRAILER_ROOM;

    /**
     * @param tap sees every packet in and out (per-call capture); null when the call is not captured, so the
     *            packet path does no extra work
     */
    public NettyMediaSession(String callId, EventLoop loop, Channel[] channels, int basePort, CallMedia media,
                             MediaEvents tap, Consumer<NettyMediaSession> onClosed) {
        this.callId = callId;
        this.loop = loop;
        this.channels = channels;
        this.shared = null;
        this.basePort = basePort;
        this.media = media;
        this.onClosed = onClosed;
        this.receivers = receivers(tap);
        for (int i = 0; i < channels.length; i++) {
            attach(channels[i], receivers[i]);
        }
    }

    /**
     * A call on its loop's shared PBX sockets, which give it what comes from the address its PBX SDP names, and on
     * its own Meta socket {@code meta} (port {@code basePort + 2} of its block).
     */
    public NettyMediaSession(String callId, EventLoop loop, SharedMediaPorts shared, Channel meta, int basePort,
                             CallMedia media, MediaEvents tap, Consumer<NettyMediaSession> onClosed) {
        this.callId = callId;
        this.loop = loop;
        this.channels = new Channel[] {meta};
        this.shared = shared;
        this.basePort = basePort;
        this.media = media;
        this.onClosed = onClosed;
        this.receivers = receivers(tap);
        attach(meta, receivers[META]);
    }

    private Receiver[] receivers(MediaEvents tap) {
        return new Receiver[] {new Receiver(PBX_RTP, tap), new Receiver(PBX_RTCP, tap), new Receiver(META, tap)};
    }

    /** Makes {@code route} the receiver of a socket bound with {@link #inboundHandler()}. */
    static void attach(Channel channel, SharedMediaPorts.Route route) {
        Inbound inbound = channel.pipeline().get(Inbound.class);
        if (inbound == null) {
            throw new IllegalArgumentException("media sockets must be bound with NettyMediaSession.inboundHandler()");
        }
        inbound.receiver = route;
    }

    /** True when the call's PBX sockets are its loop's shared ones. */
    public boolean sharesPorts() {
        return shared != null;
    }

    /** After an SDP step: the shared sockets route what comes from the address the PBX SDP now names to this call. */
    private String routed(String sdp) {
        if (shared == null) {
            return sdp;
        }
        InetSocketAddress pbx = media.pbxSdpAddress();
        synchronized (this) {
            if (!closed.get()) {
                shared.route(PBX_RTP, routedPbx, pbx, receivers[PBX_RTP]);
                shared.route(PBX_RTCP, rtcpOf(routedPbx), rtcpOf(pbx), receivers[PBX_RTCP]);
                routedPbx = pbx;
            }
        }
        return sdp;
    }

    private synchronized void unroute() {
        shared.unroute(PBX_RTP, routedPbx, receivers[PBX_RTP]);
        shared.unroute(PBX_RTCP, rtcpOf(routedPbx), receivers[PBX_RTCP]);
    }

    /** The PBX's RTCP address: the port after its RTP port (RFC 3550; the PBX leg does not mux). */
    private static InetSocketAddress rtcpOf(InetSocketAddress rtp) {
        return rtp == null ? null : new InetSocketAddress(rtp.getAddress(), rtp.getPort() + 1);
    }

    /** The 20 ms clock of the call, driven by its event loop's {@link LoopClock}. */
    @Override
    public void tick(long now) {
        try {
            media.tick(now);
        } catch (RuntimeException e) {
            // one call's failure (e.g. a throwing MediaEvents) must not stop the other calls' clocks
            LOG.warn("call {}: media timer failed: {}", callId, e.toString());
        }
    }

    /**
     * Writes the state machine's output to the PBX RTP and Meta sockets, through the relay's {@code direct} sends
     * where it can; {@code tap} (nullable) sees it too.
     */
    public static PacketSink sinkOf(Channel[] channels, MediaEvents tap, DirectSend direct) {
        Socket pbxSocket = DirectSend.socketOf(channels[PBX_RTP]);
        Socket metaSocket = DirectSend.socketOf(channels[META]);
        return new PacketSink() {
            @Override
            public void toPbx(byte[] packet, int length, InetSocketAddress to) {
                send(direct, channels[PBX_RTP], pbxSocket, packet, length, to, tap);
            }

            @Override
            public void toMeta(byte[] packet, int length, InetSocketAddress to) {
                send(direct, channels[META], metaSocket, packet, length, to, tap);
            }
        };
    }

    /** From the loop onto an epoll socket ({@link DirectSend}), else Netty's way. */
    private static void send(DirectSend direct, Channel channel, Socket socket, byte[] packet, int length,
            InetSocketAddress to, MediaEvents tap) {
        if (!direct.send(channel, socket, packet, length, to, tap)) {
            write(channel, packet, length, to, tap);
        }
    }

    /**
     * Netty's way (off the loop, or io_uring and NIO): copies the packet into a pooled direct buffer, as epoll sends
     * only direct memory (a heap buffer would be copied into one anyway, behind a second wrapper), and the caller may
     * reuse {@code packet} as soon as this returns.
     */
    private static void write(Channel channel, byte[] packet, int length, InetSocketAddress to, MediaEvents tap) {
        if (tap != null) {
            tap.packet((InetSocketAddress) channel.localAddress(), to, packet, length);
        }
        ByteBuf out = channel.alloc().directBuffer(length, length);
        out.writeBytes(packet, 0, length);
        channel.writeAndFlush(new DatagramPacket(out, to), channel.voidPromise());
    }

    /**
     * The handler of a media socket, given at bind time; the session attaches its receiver to it before
     * {@code open} returns. (A handler added to the pipeline afterwards from another thread only becomes active
     * once the event loop has run its handlerAdded task; until then Netty passes packets by it and discards them.
     * The SDP steps used to go through the loop, which hid that; now that they do not, a PBX that sends its first
     * packet right after our SDP could lose it.) Packets before the attach are dropped: no SDP names the port yet.
     */
    public static ChannelHandler inboundHandler() {
        return new Inbound();
    }

    private static final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        private volatile SharedMediaPorts.Route receiver;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            SharedMediaPorts.Route r = receiver;
            if (r != null) {
                r.onPacket(ctx.channel(), packet);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            SharedMediaPorts.Route r = receiver;
            if (r != null) {
                r.readComplete();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            SharedMediaPorts.Route r = receiver;
            if (r != null) {
                r.onException(cause);
            }
        }
    }

    public static long now() {
        return System.nanoTime() / 1_000_000;
    }

    /** The first port of the call's own block (its Meta port is the block's third). */
    public int basePort() {
        return basePort;
    }

    /** The port the PBX sends RTP to: the shared one, or the first of the call's block. */
    int pbxPort() {
        return shared != null ? shared.basePort() : basePort;
    }

    /** The event loop this call's sockets and clock live on (tests block it to prove nothing waits for it). */
    EventLoop eventLoop() {
        return loop;
    }

    // The SDP steps run on the caller's thread: they only negotiate and send nothing, so they need not wait for
    // the loop; CallMedia's monitor keeps them consistent with the loop's packet handling.

    @Override
    public String metaOfferFromPbxOffer(String pbxOffer) throws SdpException {
        return routed(media.metaOfferFromPbxOffer(pbxOffer, now()));
    }

    @Override
    public String pbxAnswerFromMetaAnswer(String metaAnswer) throws SdpException {
        return routed(media.pbxAnswerFromMetaAnswer(metaAnswer, now()));
    }

    @Override
    public String pbxOfferFromMetaOffer(String metaOffer) throws SdpException {
        return routed(media.pbxOfferFromMetaOffer(metaOffer, now()));
    }

    @Override
    public String metaAnswerFromPbxAnswer(String pbxAnswer) throws SdpException {
        return routed(media.metaAnswerFromPbxAnswer(pbxAnswer, now()));
    }

    @Override
    public String pbxReoffer(String pbxOffer) throws SdpException {
        return routed(media.pbxReoffer(pbxOffer, now()));
    }

    @Override
    public String pbxRefreshOffer() {
        return media.pbxRefreshOffer(now());
    }

    @Override
    public void pbxRefreshAnswer(String pbxAnswer) throws SdpException {
        media.pbxRefreshAnswer(pbxAnswer, now());
        routed(null); // shared ports: the PBX may have moved
    }

    /**
     * Hands the start to the call's event loop, so the maiden packet and the released PBX audio leave in order
     * with what the loop forwards; the time of the start (grace, timeouts) is the loop's when it runs.
     */
    @Override
    public void startMetaLeg() {
        if (closed.get() || !media.startable() || !startRequested.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.execute(() -> media.startMetaLeg(now()));
        } catch (RejectedExecutionException e) {
            LOG.warn("call {}: the media relay is shutting down; the Meta leg was not started", callId);
        }
    }

    @Override
    public MediaStats stats() {
        return media.stats();
    }

    /**
     * Stops the call's media at once (CallMedia ignores every later input) and closes the sockets on the loop
     * without waiting: the ports go back to the pool from the last socket's close listener.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        media.close();
        if (shared != null) {
            unroute();
        }
        AtomicInteger open = new AtomicInteger(channels.length);
        for (Channel channel : channels) {
            channel.close().addListener(f -> {
                if (open.decrementAndGet() == 0) {
                    releasePorts();
                }
            });
        }
    }

    /** Completes once the sockets are closed and the ports are back in the pool. */
    public CompletableFuture<Void> released() {
        return released;
    }

    private void releasePorts() {
        if (released.isDone()) {
            return;
        }
        try {
            onClosed.accept(this);
            LOG.debug("call {}: media closed, ports released {}-{}{}", callId, basePort, basePort + 3,
                    shared != null ? " (PBX ports shared)" : "");
        } finally {
            released.complete(null);
        }
    }

    private final class Receiver implements SharedMediaPorts.Route {
        private final int socket;
        private final MediaEvents tap;

        Receiver(int socket, MediaEvents tap) {
            this.socket = socket;
            this.tap = tap;
        }

        @Override
        public void onPacket(Channel channel, DatagramPacket packet) {
            ByteBuf content = packet.content();
            int length = content.readableBytes();
            // room for the SRTP trailer, so PBX packets are protected in place
            byte[] bytes = SCRATCH.get();
            if (bytes.length < length + PacketBuffer.TRAILER_ROOM) {
                bytes = new byte[length + PacketBuffer.TRAILER_ROOM]; // larger than an MTU: not media, rare
            }
            content.getBytes(content.readerIndex(), bytes, 0, length);
            if (tap != null) {
                tap.packet(packet.sender(), (InetSocketAddress) channel.localAddress(), bytes, length);
            }
            long now = now();
            if (socket == META) {
                media.onMetaPacket(bytes, length, packet.sender(), now);
            } else {
                media.onPbxPacket(bytes, length, packet.sender(), socket == PBX_RTCP, now);
            }
        }

        @Override
        public void onException(Throwable cause) {
            // an ICMP port unreachable and the like must not end the call's media
            LOG.debug("call {}: socket error on port {}: {}", callId, basePort + socket, cause.toString());
        }
    }
}
