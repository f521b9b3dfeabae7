package org.wabridge.media;

import org.wabridge.config.SrtpKeyExchange;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.config.IpLiterals;
import org.wabridge.config.MediaSettings;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsEndpoint;
import org.wabridge.media.dtls.DtlsFingerprint;
import org.wabridge.media.ice.IceCredentials;
import org.wabridge.media.ice.IceSdp;
import org.wabridge.media.keying.DtlsIceKeying;
import org.wabridge.media.keying.KeyingSettings;
import org.wabridge.media.keying.KeyingWarmUp;
import org.wabridge.media.keying.MetaKeying;
import org.wabridge.media.relay.CallMedia;
import org.wabridge.media.relay.DirectSend;
import org.wabridge.media.relay.LoopClock;
import org.wabridge.media.relay.NettyMediaSession;
import org.wabridge.media.relay.PacketSink;
import org.wabridge.media.relay.PortBlocks;
import org.wabridge.media.relay.SharedMediaPorts;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.sdp.LocalMedia;
import org.wabridge.media.sdp.LocalMedia.LocalDtls;
import org.wabridge.media.srtp.SrtpSuite;
import org.wabridge.media.transcode.TranscodingBudget;
import org.wabridge.media.srtp.SrtpWarmUp;

/**
 * The media relay on Netty: one event loop group (epoll, or io_uring when configured; NIO only where neither is
 * available) shared by every call, sized to the cores; each call's sockets and timers live on one loop.
 */
public final class NettyMediaRelay implements MediaRelay {

    /** Prefix of the relay's thread names (for diagnostics and the thread-leak test). */
    public static final String THREAD_PREFIX = "wabridge-media";
    private static final Logger LOG = LoggerFactory.getLogger(NettyMediaRelay.class);
    /** Largest datagram a shared socket reads whole (an MTU's media packet is far smaller). */
    private static final int MAX_DATAGRAM = 2048;
    /** Receive buffer of a shared socket: many calls' packets wait in it while a GC pause or a busy loop lasts. */
    private static final int SHARED_RCVBUF = 4 * 1024 * 1024;
    /** System property: event loops of the relay (default: one per core). */
    public static final String THREADS_PROPERTY = "wabridge.media.threads";
    /** System property: event loops whose PBX sockets the calls share, with media.sharedPorts (default 1). */
    public static final String SHARED_LOOPS_PROPERTY = "wabridge.media.sharedLoops";

    private final MediaSettings settings;
    private final MultiThreadIoEventLoopGroup group;
    private final Class<? extends DatagramChannel> channelClass;
    private final PortBlocks ports;
    /** media.sharedPorts: the PBX sockets each loop's calls share; empty when every call has its own. */
    private final Map<EventLoop, SharedMediaPorts> sharedByLoop = new ConcurrentHashMap<>();
    private final List<EventLoop> sharedLoops = new ArrayList<>();
    private final AtomicInteger nextSharedLoop = new AtomicInteger();
    private final Set<NettyMediaSession> sessions = ConcurrentHashMap.newKeySet();
    /** Each event loop's clock: its sessions, ticked every 20 ms by one timer per loop while it has any. */
    private final Map<EventLoop, LoopClock> clocks = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    /** What every call's DTLS-mode keying shares; null when DTLS is impossible (no usable public address). */
    private final DtlsIceKeying.Context keyingContext;
    private final InetAddress candidateAddress;
    private final TranscodingBudget transcoding;
    /** The loops' own sends onto epoll sockets, and the count of those the kernel refused. */
    private final DirectSend directSend = new DirectSend();
    private volatile boolean closed;

    /**
     * Netty's leak detector is on by default and records a stack trace for one buffer in 128; the relay takes a
     * buffer for every packet it sends, so at 100 calls that was about 3 % of its CPU (BENCHMARKS.md, media run 14).
     * Off unless the JVM names a level ({@code -Dio.netty.leakDetection.level=paranoid} to hunt a leak).
     */
    static void quietLeakDetector() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /**
     * Starts the event loops. Before that it runs the one-time SRTP warm-up ({@link SrtpWarmUp}): the first call
     * must not wait for jitsi-srtp to load its native library and benchmark its ciphers. After that it relays one
     * throw-away call on local sockets ({@link MediaWarmUp}), so the first real call does not pay for the first
     * run of the session, SDP and socket code either.
     *
     * @throws IllegalStateException when SRTP does not work on this machine (no call could be relayed)
     */
    public NettyMediaRelay(MediaSettings settings) {
        this(settings, KeyingSettings.DEFAULT);
    }

    /**
     * @param keying the clocks of DTLS mode (ICE and the handshake); tests shorten them
     */
    public NettyMediaRelay(MediaSettings settings, KeyingSettings keying) {
        this.settings = settings;
        this.transcoding = new TranscodingBudget(settings.maxTranscodedCalls());
        quietLeakDetector();
        warmUpSrtp();
        this.candidateAddress = candidateAddress(settings.publicAddress());
        if (candidateAddress == null) {
            LOG.warn("media.publicAddress '{}' is not a concrete IP address, so it cannot be an ICE candidate: Meta's"
                    + " DTLS offers are refused (488) and DTLS numbers offer SDES; set media.publicAddress to the"
                    + " relay's public IP", settings.publicAddress());
        }
        this.keyingContext = candidateAddress == null ? null : new DtlsIceKeying.Context(DtlsCertificate.generate(),
                keying, random, DtlsEndpoint.DEFAULT_THREADS, NettyMediaSession::now);
        this.ports = new PortBlocks(settings.portMin(), settings.portMax());
        IoHandlerFactory io;
        boolean uring = settings.ioEngine() == MediaSettings.IoEngine.IO_URING;
        if (uring && !IoUring.isAvailable()) {
            uring = false;
            LOG.warn("media.ioEngine io_uring is unavailable here ({}); the media relay uses epoll",
                    IoUring.unavailabilityCause().getMessage());
        }
        if (uring) {
            io = IoUringIoHandler.newFactory();
            channelClass = IoUringDatagramChannel.class;
        } else if (Epoll.isAvailable()) {
            io = EpollIoHandler.newFactory();
            channelClass = EpollDatagramChannel.class;
        } else {
            LOG.warn("native epoll is unavailable ({}); the media relay falls back to NIO",
                    Epoll.unavailabilityCause().getMessage());
            io = NioIoHandler.newFactory();
            channelClass = NioDatagramChannel.class;
        }
        int threads = Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be at least 1, not " + threads);
        }
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(THREAD_PREFIX, true), io);
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            clocks.put(loop, new LoopClock(loop));
        }
        if (settings.sharedPorts()) {
            bindSharedPorts();
        }
        long start = System.nanoTime();
        String skipped = MediaWarmUp.run(this, settings.bindAddress());
        if (skipped == null) {
            LOG.info("media relay ready (warm-up call in {} ms)", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } else {
            LOG.warn("media relay warm-up call skipped ({}); the first call may take longer to set up", skipped);
        }
        if (keyingContext != null) {
            start = System.nanoTime();
            String keyingSkipped = KeyingWarmUp.run(keyingContext.certificate(), keying.dtls());
            if (keyingSkipped == null) {
                LOG.info("DTLS-SRTP and ICE ready (warm-up handshake in {} ms)",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            } else {
                LOG.warn("DTLS warm-up failed ({}); the first DTLS call may take longer to set up", keyingSkipped);
            }
        }
    }

    /**
     * Binds the shared sockets: one block of the range on each of the first {@value #SHARED_LOOPS_PROPERTY} event
     * loops (default 1). One loop is the default because batching is the point: at 300 calls one loop read 15
     * packets per wake-up and spent 10 µs per packet, two loops 5 and 17 µs (BENCHMARKS.md, "socket layout").
     */
    private void bindSharedPorts() {
        int loops = Integer.getInteger(SHARED_LOOPS_PROPERTY, 1);
        if (loops < 1) {
            throw new IllegalArgumentException(SHARED_LOOPS_PROPERTY + " must be at least 1, not " + loops);
        }
        for (EventExecutor executor : group) {
            if (sharedByLoop.size() == loops) {
                break;
            }
            EventLoop loop = (EventLoop) executor;
            Channel[] channels = null;
            int base = -1;
            while (channels == null) {
                base = ports.take();
                if (base < 0) {
                    close();
                    throw new IllegalStateException("media.sharedPorts: no free block of " + PortBlocks.BLOCK_SIZE
                            + " ports in media port range " + ports.range() + " to share");
                }
                channels = bindBlock(loop, base, 2, true);
            }
            LoopClock clock = clocks.get(loop);
            SharedMediaPorts shared = new SharedMediaPorts(base, channels, clock::wake);
            clock.tickShared(shared);
            sharedByLoop.put(loop, shared);
            sharedLoops.add(loop);
            int granted = channels[0].config().getOption(ChannelOption.SO_RCVBUF);
            if (granted < SHARED_RCVBUF) { // Linux reports twice what it grants, so this is well short
                LOG.warn("media.sharedPorts: the kernel gave the shared media sockets a {} KB receive buffer, not {} KB"
                        + " (net.core.rmem_max): a pause of the relay of a few ms under load drops packets; raise it"
                        + " with sysctl -w net.core.rmem_max={}", granted / 1024, SHARED_RCVBUF / 1024, SHARED_RCVBUF);
            }
        }
        List<String> pbxPorts = sharedByLoop.values().stream()
                .map(p -> p.basePort() + "/" + (p.basePort() + 1)).sorted().toList();
        LOG.info("media relay: calls share PBX ports (RTP/RTCP {} on {} of {} event loops) and face Meta from a port"
                + " each", pbxPorts, sharedByLoop.size(), group.executorCount());
    }

    /**
     * The address of our ICE host candidate: media.publicAddress when it is a concrete IP literal; null for anything
     * else (a wildcard, a name), which leaves the relay SDES-only.
     */
    static InetAddress candidateAddress(String publicAddress) {
        InetAddress a = IpLiterals.parse(publicAddress);
        return a == null || a.isAnyLocalAddress() ? null : a;
    }

    private static void warmUpSrtp() {
        boolean first = !SrtpWarmUp.done();
        try {
            long nanos = SrtpWarmUp.run();
            if (first) {
                LOG.info("SRTP ready (library loaded and self-tested in {} ms)", TimeUnit.NANOSECONDS.toMillis(nanos));
            }
        } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("SRTP does not work on this machine: " + e, e);
        }
    }

    /** The socket engine the relay runs on: io_uring, epoll or nio. */
    public String ioEngine() {
        return channelClass == IoUringDatagramChannel.class ? "io_uring" : usesEpoll() ? "epoll" : "nio";
    }

    /** True when the relay runs on native epoll. */
    public boolean usesEpoll() {
        return channelClass == EpollDatagramChannel.class;
    }

    @Override
    public MediaSession open(String callId, SrtpKeyExchange keying, MediaEvents events) throws MediaException {
        if (closed) {
            throw new MediaException("the media relay is shut down; no new calls");
        }
        // media.sharedPorts: the PBX side on the loop's shared sockets, only the Meta socket (the block's third
        // port) the call's own; why Meta's side is never shared: SharedMediaPorts
        EventLoop loop = sharedLoops.isEmpty() ? group.next()
                : sharedLoops.get(Math.floorMod(nextSharedLoop.getAndIncrement(), sharedLoops.size()));
        SharedMediaPorts shared = sharedByLoop.get(loop);
        int attempts = ports.totalBlocks();
        for (int i = 0; i < attempts; i++) {
            int base = ports.take();
            if (base < 0) {
                break;
            }
            Channel[] own = shared == null ? bindBlock(loop, base, 3, false) : bindBlock(loop, base + 2, 1, false);
            if (own == null) {
                ports.release(base); // something else holds one of these ports; try the next block
                continue;
            }
            MediaEvents tap = events.capturesPackets() ? events : null;
            NettyMediaSession session;
            if (shared == null) {
                CallMedia media = media(callId, keying, events, base, base + 2,
                        NettyMediaSession.sinkOf(own, tap, directSend), loop);
                session = new NettyMediaSession(callId, loop, own, base, media, tap, this::sessionClosed);
            } else {
                CallMedia media = media(callId, keying, events, shared.basePort(), base + 2,
                        shared.sink(own[0], tap, directSend), loop);
                session = new NettyMediaSession(callId, loop, shared, own[0], base, media, tap, this::sessionClosed);
            }
            sessions.add(session);
            clocks.get(loop).add(session);
            return session;
        }
        throw new MediaException("no free UDP ports for the media of call " + callId + " in media port range "
                + ports.range() + " (" + sessions.size() + " calls active, " + PortBlocks.BLOCK_SIZE
                + " ports per call): widen media.portMin/media.portMax or check what else binds these ports");
    }

    private CallMedia media(String callId, SrtpKeyExchange keying, MediaEvents events, int pbxPort, int metaPort,
                            PacketSink sink, EventLoop loop) {
        LocalMedia local = localMedia(settings, keying, pbxPort, metaPort, random, candidateAddress,
                keyingContext == null ? null : keyingContext.certificate().fingerprint());
        if (keying != local.offerKeying()) {
            LOG.warn("call {}: the number is set to DTLS but media.publicAddress is not usable for ICE; offering SDES",
                    callId);
        }
        MetaKeying.Factory keyingFactory = keyingContext == null ? null : (id, localDtls, remote, sdpAddress, owner) ->
                new DtlsIceKeying(id, localDtls, remote, sdpAddress, keyingContext, sink, loop, owner);
        return new CallMedia(settings, callId, local, events, sink, random.nextInt(0x10000),
                random.nextInt() & 0xFFFF_FFFFL, keyingFactory, transcoding);
    }

    /**
     * What one call puts in its SDP: fresh SDES key, SSRC, CNAME and (when {@code candidate} is set) ICE credentials
     * and host candidate; ICE and DTLS share the Meta port with media (rtcp-mux, BUNDLE). A DTLS number falls back to
     * SDES offers when there is no candidate address.
     */
    static LocalMedia localMedia(MediaSettings settings, SrtpKeyExchange keying, int pbxPort, int metaPort,
                                 SecureRandom random, InetAddress candidate, DtlsFingerprint fingerprint) {
        byte[] key = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        random.nextBytes(key);
        long ssrc = random.nextInt() & 0xFFFF_FFFFL;
        String cname = "wabridge-" + Long.toHexString(random.nextLong());
        LocalDtls dtls = candidate == null ? null : new LocalDtls(IceCredentials.generate(random),
                IceSdp.hostCandidates(List.of(new InetSocketAddress(candidate, metaPort))), fingerprint);
        SrtpKeyExchange offerKeying = dtls == null ? SrtpKeyExchange.SDES : keying;
        return new LocalMedia(settings.publicAddress(), pbxPort, metaPort,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key), ssrc, cname,
                random.nextInt(Integer.MAX_VALUE), settings.g711EnabledAtMeta(), offerKeying, dtls);
    }

    /**
     * Binds {@code count} consecutive ports from {@code first} on one loop (of a block: PBX RTP, PBX RTCP, Meta), or
     * returns null. {@code shared}: sockets many calls use.
     */
    private Channel[] bindBlock(EventLoop loop, int first, int count, boolean shared) {
        Channel[] channels = new Channel[count];
        for (int i = 0; i < count; i++) {
            channels[i] = bind(loop, first + i, shared);
            if (channels[i] == null) {
                for (int j = 0; j < i; j++) {
                    channels[j].close().awaitUninterruptibly();
                }
                return null;
            }
        }
        return channels;
    }

    /**
     * Binds one media socket on {@code loop}, or returns null. {@code shared}: a socket many calls use, with a
     * larger receive buffer and, on epoll, several datagrams per read (recvmmsg).
     */
    private Channel bind(EventLoop loop, int port, boolean shared) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.SO_RCVBUF, shared ? SHARED_RCVBUF : 256 * 1024)
                .handler(NettyMediaSession.inboundHandler());
        if (shared && usesEpoll()) {
            // edge-triggered (Netty's default): a busy shared socket is read until empty, 16 datagrams a call
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * 16));
        } else if (usesEpoll()) {
            // A media socket gets one packet per 20 ms. Edge-triggered, Netty must read until the socket is
            // empty: every wake-up costs a second recvmsg that finds nothing. Level-triggered, one read per
            // wake-up is safe (a packet left behind wakes the next epoll_wait at once): one syscall less per
            // packet. BENCHMARKS.md, media relay, run 6.
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(1));
        }
        ChannelFuture bind = bootstrap.bind(new InetSocketAddress(settings.bindAddress(), port)).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            LOG.debug("cannot bind media port {}: {}", port, bind.cause().getMessage());
            return null;
        }
        return bind.channel();
    }

    private void sessionClosed(NettyMediaSession session) {
        clocks.values().forEach(clock -> clock.remove(session));
        if (sessions.remove(session)) {
            ports.release(session.basePort());
        }
    }

    /** Sessions whose ports are not yet back in the pool (a closed session counts until its sockets are closed). */
    @Override
    public int transcodedCalls() {
        return transcoding.inUse();
    }

    @Override
    public int activeSessions() {
        return sessions.size();
    }

    /**
     * Shuts the relay down: closes every session, waits (bounded) until their sockets are closed and ports
     * released, then stops the event loops. Unlike {@link MediaSession#close()} this may wait; do not call it from
     * a relay thread.
     */
    @Override
    public void close() {
        closed = true;
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (NettyMediaSession session : sessions) {
            session.close();
            released.add(session.released());
        }
        try {
            CompletableFuture.allOf(released.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("media relay shutdown: {} session(s) did not close their sockets in time ({})",
                    sessions.size(), e.toString());
        }
        sharedByLoop.values().forEach(SharedMediaPorts::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    @Override
    public long unmatchedSharedPackets() {
        return sharedByLoop.values().stream().mapToLong(SharedMediaPorts::unmatchedPackets).sum();
    }

    @Override
    public long unsentPackets() {
        return directSend.dropped();
    }
}
