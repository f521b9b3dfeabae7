package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The order of a peer's first packets on a shared port, with the event loop's steps taken one at a time
 * (EmbeddedChannel): what waited for the route goes before what came after it, whichever the loop runs first.
 */
class SharedMediaPortsOrderTest {

    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress OURS = new InetSocketAddress("127.0.0.1", 20000);

    @Test
    void parkedPacketsGoFirstEvenWhenANewOneIsReadBeforeTheirDeliveryRuns() {
        EmbeddedChannel[] sockets = {channel(), channel(), channel()};
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
        EmbeddedChannel[] sockets = {channel(), channel(), channel()};
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
        EmbeddedChannel[] sockets = {channel(), channel(), channel()};
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
        EmbeddedChannel[] sockets = {channel(), channel(), channel()};
        SharedMediaPorts shared = new SharedMediaPorts(20000, sockets, () -> { });
        for (int i = 0; i < 1000; i++) {
            InetSocketAddress stranger = new InetSocketAddress("127.0.0.1", 30000 + i);
            sockets[2].writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0}), OURS, stranger));
        }
        assertEquals(1000 - 256, shared.unmatchedPackets(), "the oldest are dropped to make room");
        assertEquals(256, shared.parkedSenders());
        shared.expireParked(Long.MAX_VALUE);
        assertEquals(1000, shared.unmatchedPackets());
        assertEquals(0, shared.parkedSenders());
    }

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(NettyMediaSession.inboundHandler());
    }

    private static DatagramPacket packet(int marker) {
        return new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {(byte) marker, 0, 0, 0}), OURS, PBX);
    }
}
