package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The order of a peer's first packets on a shared port, and when writes leave, with the event loop's steps taken
 * one at a time (EmbeddedChannel): what waited for the route goes before what came after it, whichever the loop
 * runs first.
 */
class SharedMediaPortsOrderTest {

    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress OURS = new InetSocketAddress("127.0.0.1", 20000);

    @Test
    void parkedPacketsGoFirstEvenWhenANewOneIsReadBeforeTheirDeliveryRuns() {
        EmbeddedChannel[] sockets = {channel(), channel()};
        SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, () -> { });
        List<Integer> heard = new ArrayList<>();
        SharedMediaPorts.Route call = (Channel channel, DatagramPacket packet) ->
                heard.add((int) packet.content().getByte(packet.content().readerIndex()));

        sockets[0].writeInbound(packet(1)); // before the SDP naming PBX is read: parked
        shared.route(NettyMediaSession.PBX_RTP, null, PBX, call); // posts the delivery of what was parked
        sockets[0].writeInbound(packet(2)); // read before that delivery runs
        sockets[0].runPendingTasks();
        sockets[0].writeInbound(packet(3));

        assertEquals(List.of(1, 2, 3), heard);
        assertEquals(0, shared.parkedSenders(), "a delivered sender is no longer looked up as parked");
        shared.expireParked(Long.MAX_VALUE);
        assertEquals(0, shared.unmatchedPackets(), "nothing was left waiting");
    }

    @Test
    void packetsNoRouteClaimsAreCountedOnceTheyExpire() {
        EmbeddedChannel[] sockets = {channel(), channel()};
        SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, () -> { });
        sockets[0].writeInbound(packet(1));
        sockets[0].writeInbound(packet(2));
        shared.expireParked(NettyMediaSession.now() + SharedMediaPorts.PARK_MILLIS - 100);
        assertEquals(0, shared.unmatchedPackets(), "still waiting for an SDP");
        assertEquals(1, shared.parkedSenders());
        shared.expireParked(NettyMediaSession.now() + SharedMediaPorts.PARK_MILLIS + 100);
        assertEquals(2, shared.unmatchedPackets());
        assertEquals(0, shared.parkedSenders(), "an expired sender is forgotten");
    }

    @Test
    void theFirstParkedPacketWakesTheLoopsClockOnce() {
        EmbeddedChannel[] sockets = {channel(), channel()};
        AtomicInteger wakes = new AtomicInteger();
        SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, wakes::incrementAndGet);
        sockets[0].writeInbound(packet(1));
        sockets[0].writeInbound(packet(2));
        assertEquals(1, wakes.get(), "woken when the first packet waits, not for each one");
        assertTrue(shared.hasParked());
        shared.expireParked(Long.MAX_VALUE);
        assertFalse(shared.hasParked(), "nothing left to expire: the clock may stop");
        sockets[0].writeInbound(packet(3));
        assertEquals(2, wakes.get(), "woken again once the queue had emptied");
    }

    @Test
    void aFloodOfStrangersKeepsAtMost256PacketsAndForgetsTheSendersItDrops() {
        EmbeddedChannel[] sockets = {channel(), channel()};
        SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, () -> { });
        for (int i = 0; i < 1000; i++) {
            InetSocketAddress stranger = new InetSocketAddress("127.0.0.1", 30000 + i);
            sockets[1].writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0}), OURS, stranger));
        }
        assertEquals(1000 - 256, shared.unmatchedPackets(), "the oldest are dropped to make room");
        assertEquals(256, shared.parkedSenders());
        shared.expireParked(Long.MAX_VALUE);
        assertEquals(1000, shared.unmatchedPackets());
        assertEquals(0, shared.parkedSenders());
    }

    /**
     * On a real loop (EmbeddedChannel runs queued tasks inside every write): writes made on the loop outside a read
     * batch wait for the end of the loop's turn and leave in one flush per socket; a handshake thread's leave at once.
     */
    @Test
    void writesOfOneTurnOfTheLoopLeaveTogetherAfterItAndAHandshakeThreadsAtOnce() throws Exception {
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        try {
            List<String> wire = Collections.synchronizedList(new ArrayList<>());
            Channel[] sockets = {socket(group, "pbx", wire), socket(group, "rtcp", wire)};
            Channel meta = socket(group, "meta", wire);
            SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, () -> { });
            PacketSink sink = shared.sink(meta, null, new DirectSend());
            List<String> duringTheTurn = group.submit(() -> {
                sink.toPbx(new byte[] {1}, 1, PBX); // a call's Meta socket was read, or the clock ticked
                sink.toMeta(new byte[] {2}, 1, PBX);
                sink.toPbx(new byte[] {3}, 1, PBX);
                return List.copyOf(wire);
            }).get();
            assertEquals(List.of("write pbx 1", "write meta 2", "write pbx 3"), duringTheTurn, "nothing flushed yet");
            group.submit(() -> { }).get(); // the turn has ended
            assertEquals(List.of("write pbx 1", "write meta 2", "write pbx 3", "flush pbx", "flush meta"), wire,
                    "one flush per socket after the turn");
            wire.clear();
            Thread handshake = new Thread(() -> sink.toMeta(new byte[] {4}, 1, PBX));
            handshake.start();
            handshake.join();
            group.submit(() -> { }).get();
            assertEquals(List.of("write meta 4", "flush meta"), wire);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A socket stand-in on {@code group}: writes and flushes are recorded, nothing is sent. */
    private static Channel socket(DefaultEventLoopGroup group, String name, List<String> wire) throws Exception {
        Channel channel = new LocalChannel();
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                DatagramPacket packet = (DatagramPacket) msg;
                wire.add("write " + name + " " + packet.content().getByte(0));
                packet.release();
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                wire.add("flush " + name);
            }
        }, NettyMediaSession.inboundHandler());
        group.register(channel).sync();
        return channel;
    }

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(NettyMediaSession.inboundHandler());
    }

    private static DatagramPacket packet(int marker) {
        return new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {(byte) marker, 0, 0, 0}), OURS, PBX);
    }
}
