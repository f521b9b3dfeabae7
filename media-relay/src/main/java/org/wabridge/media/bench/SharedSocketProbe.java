package org.wabridge.media.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * Benchmark probe (not part of the bridge): the cheapest RTP -> SDES SRTP forwarding this stack can do, to tell
 * what a socket layout costs apart from what the relay's features cost. Per packet it only looks the call up,
 * rewrites the SSRC, protects or unprotects with jitsi-srtp and sends: no silence fill, RTCP, statistics or timers.
 *
 * <p>{@code --layout shared}: every call's PBX side on one socket and Meta side on another, calls told apart by the
 * sender's address, read with recvmmsg and written with sendmmsg (Netty epoll) once per read batch.
 * {@code --layout per-call}: two sockets per call, as the relay has them. Same stdin/stdout protocol as
 * {@link RelayBenchServer}, so {@code scripts/bench/media-bench.sh} drives it with {@code BENCH_SERVER}.
 */
public final class SharedSocketProbe {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /** One call: its two peers and the SRTP of its Meta side. Touched by one event loop only. */
    private static final class Call {
        final InetSocketAddress pbx;
        final InetSocketAddress meta;
        final SrtpEndpoint srtp;
        Channel pbxSide;
        Channel metaSide;

        Call(InetSocketAddress pbx, InetSocketAddress meta, SrtpEndpoint srtp) {
            this.pbx = pbx;
            this.meta = meta;
            this.srtp = srtp;
        }
    }

    private static final int OUR_SSRC = 0x57414252;

    private SharedSocketProbe() {
    }

    public static void main(String[] args) throws Exception {
        int portMin = 20000;
        String layout = "shared";
        int batch = 32;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port-min" -> portMin = Integer.parseInt(args[i + 1]);
                case "--layout" -> layout = args[i + 1];
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                default -> { } // RelayBenchServer's other arguments do not apply
            }
        }
        boolean shared = layout.equals("shared");
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Map<InetSocketAddress, Call> byPbx = new HashMap<>();
        Map<InetSocketAddress, Call> byMeta = new HashMap<>();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        SecureRandom random = new SecureRandom();
        List<Channel> channels = new ArrayList<>();
        try {
            Channel sharedPbx = null;
            Channel sharedMeta = null;
            if (shared) {
                sharedPbx = bind(group, portMin, batch, new Forwarder(byPbx, true));
                sharedMeta = bind(group, portMin + 1, batch, new Forwarder(byMeta, false));
                channels.add(sharedPbx);
                channels.add(sharedMeta);
            }
            StringBuilder lines = new StringBuilder();
            int next = portMin;
            String line;
            while ((line = in.readLine()) != null && !line.trim().equals("END")) {
                String[] f = line.trim().split("\\s+");
                InetSocketAddress pbx = new InetSocketAddress("127.0.0.1", Integer.parseInt(f[1]));
                InetSocketAddress meta = new InetSocketAddress("127.0.0.1", Integer.parseInt(f[2]));
                byte[] theirKey = new byte[30];
                byte[] ourKey = new byte[30];
                random.nextBytes(theirKey);
                random.nextBytes(ourKey);
                SrtpSuite suite = SrtpSuite.AES_CM_128_HMAC_SHA1_80;
                Call call = new Call(pbx, meta, new SrtpEndpoint(new CryptoAttribute(1, suite, ourKey),
                        new CryptoAttribute(1, suite, theirKey)));
                byPbx.put(pbx, call);
                byMeta.put(meta, call);
                if (shared) {
                    call.pbxSide = sharedPbx;
                    call.metaSide = sharedMeta;
                } else {
                    call.pbxSide = bind(group, next, 1, new Forwarder(byPbx, true));
                    call.metaSide = bind(group, next + 1, 1, new Forwarder(byMeta, false));
                    channels.add(call.pbxSide);
                    channels.add(call.metaSide);
                    next += 2;
                }
                lines.append(((InetSocketAddress) call.pbxSide.localAddress()).getPort()).append(' ')
                        .append(((InetSocketAddress) call.metaSide.localAddress()).getPort())
                        .append(" inline:").append(Base64.getEncoder().encodeToString(theirKey))
                        .append(" inline:").append(Base64.getEncoder().encodeToString(ourKey)).append('\n');
            }
            out.print(lines);
            out.println("END");
            System.err.println("probe: layout " + layout + ", " + byPbx.size() + " calls, " + channels.size() + " sockets");
            while ((line = in.readLine()) != null) {
                System.err.println("rtpload: " + line);
            }
        } finally {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    private static Channel bind(MultiThreadIoEventLoopGroup group, int port, int batch, Forwarder forwarder)
            throws InterruptedException {
        Bootstrap b = new Bootstrap().group(group)
                .channelFactory(() -> new EpollDatagramChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .handler(forwarder);
        if (batch > 1) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 1500)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(1500 * batch));
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(1));
        }
        return b.bind(new InetSocketAddress(LOOPBACK.getAddress(), port)).sync().channel();
    }

    /** Reads one side's packets, forwards each to the other side of its call, flushes once per read batch. */
    private static final class Forwarder extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Map<InetSocketAddress, Call> calls;
        private final boolean fromPbx;
        private final List<Channel> toFlush = new ArrayList<>();

        Forwarder(Map<InetSocketAddress, Call> calls, boolean fromPbx) {
            super(true);
            this.calls = calls;
            this.fromPbx = fromPbx;
        }

        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) throws Exception {
            Call call = calls.get(packet.sender());
            if (call == null) {
                return;
            }
            ByteBuf content = packet.content();
            int len = content.readableBytes();
            if (len < 12) {
                return;
            }
            byte[] bytes = new byte[len + PacketBuffer.TRAILER_ROOM];
            content.getBytes(content.readerIndex(), bytes, 0, len);
            PacketBuffer buf;
            Channel to;
            InetSocketAddress peer;
            if (fromPbx) {
                bytes[8] = (byte) (OUR_SSRC >>> 24);
                bytes[9] = (byte) (OUR_SSRC >>> 16);
                bytes[10] = (byte) (OUR_SSRC >>> 8);
                bytes[11] = (byte) OUR_SSRC;
                buf = call.srtp.protectRtp(bytes, len);
                to = call.metaSide;
                peer = call.meta;
            } else {
                int pt = bytes[1] & 0x7F;
                if (pt >= 72 && pt <= 76) {
                    return; // SRTCP (RFC 5761): not forwarded by the probe
                }
                buf = new PacketBuffer(bytes, len);
                if (call.srtp.unprotectRtp(buf) != SrtpEndpoint.Verdict.OK) {
                    return;
                }
                to = call.pbxSide;
                peer = call.pbx;
            }
            to.write(new DatagramPacket(Unpooled.wrappedBuffer(buf.getBuffer(), 0, buf.getLength()),
                    peer), to.voidPromise());
            if (!toFlush.contains(to)) {
                toFlush.add(to);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            for (Channel c : toFlush) {
                c.flush();
            }
            toFlush.clear();
        }
    }
}
