package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;

/**
 * On epoll the event loop writes a call's packets straight onto its sockets (no pipeline), in both layouts: checked
 * where they arrive, with what the loop does when the kernel refuses one and when the call's socket is closed.
 */
@Timeout(20)
class DirectSendTest {

    private EventLoopGroup group;
    private SharedMediaPorts shared;
    private Channel metaChannel;
    private DatagramSocket meta;
    private final DirectSend direct = new DirectSend();
    private final List<String> tapped = new ArrayList<>();
    private final MediaEvents tap = new MediaEvents() {
        @Override
        public void mediaTimeout(Leg leg, Duration silentFor) {
        }

        @Override
        public void packet(InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {
            tapped.add(from.getPort() + ">" + to.getPort() + ":" + length);
        }
    };

    @BeforeEach
    void open() throws Exception {
        assumeTrue(Epoll.isAvailable(), "the direct send is epoll's");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        Channel[] pbx = {bind(), bind()};
        shared = new SharedMediaPorts(((InetSocketAddress) pbx[0].localAddress()).getPort(), pbx, () -> { });
        metaChannel = bind();
        meta = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        meta.setSoTimeout(2000);
    }

    @AfterEach
    void close() {
        if (shared != null) {
            shared.close();
            metaChannel.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            meta.close();
        }
    }

    @Test
    void aPacketSentOnTheLoopReachesMetaFromTheCallsPortAndTheTap() throws Exception {
        PacketSink sink = shared.sink(metaChannel, tap, direct);
        byte[] packet = {(byte) 0x80, 0, 0, 1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 42};
        onLoop(() -> {
            sink.toMeta(packet, packet.length - 1, metaAddress()); // the last byte is not the packet's
            return null;
        });
        DatagramPacket heard = receive();
        assertArrayEquals(Arrays.copyOf(packet, packet.length - 1), Arrays.copyOf(heard.getData(), heard.getLength()));
        assertEquals(port(metaChannel), heard.getPort(), "from the call's own Meta port");
        assertEquals(List.of(port(metaChannel) + ">" + meta.getLocalPort() + ":14"), tapped);
    }

    @Test
    void aCallWithPortsOfItsOwnSendsToBothPeersFromTheLoop() throws Exception {
        Channel pbxChannel = bind();
        DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        try {
            pbx.setSoTimeout(2000);
            Channel[] channels = new Channel[4];
            channels[NettyMediaSession.PBX_RTP] = pbxChannel;
            channels[NettyMediaSession.META] = metaChannel;
            PacketSink sink = NettyMediaSession.sinkOf(channels, tap, direct);
            onLoop(() -> {
                sink.toPbx(new byte[] {5, 6}, 2, new InetSocketAddress("127.0.0.1", pbx.getLocalPort()));
                sink.toMeta(new byte[] {7, 8, 9}, 3, metaAddress());
                return null;
            });
            DatagramPacket atPbx = new DatagramPacket(new byte[64], 64);
            pbx.receive(atPbx);
            assertArrayEquals(new byte[] {5, 6}, Arrays.copyOf(atPbx.getData(), atPbx.getLength()));
            assertEquals(port(pbxChannel), atPbx.getPort(), "from the call's PBX port");
            DatagramPacket atMeta = receive();
            assertArrayEquals(new byte[] {7, 8, 9}, Arrays.copyOf(atMeta.getData(), atMeta.getLength()));
            assertEquals(port(metaChannel), atMeta.getPort(), "from the call's Meta port");
            assertEquals(2, tapped.size(), "both in the capture");
        } finally {
            pbx.close();
            pbxChannel.close().sync();
        }
    }

    @Test
    void aPacketSentOffTheLoopTakesNettysWayAndArrivesToo() throws Exception {
        PacketSink sink = shared.sink(metaChannel, null, direct);
        sink.toMeta(new byte[] {1, 2, 3}, 3, metaAddress()); // a DTLS handshake's thread
        DatagramPacket heard = receive();
        assertEquals(3, heard.getLength());
        assertEquals(port(metaChannel), heard.getPort());
    }

    @Test
    void aPacketTheKernelRefusesIsDroppedAndCountedAndTheNextOneStillGoes() throws Exception {
        PacketSink sink = shared.sink(metaChannel, null, direct);
        // port 0: the kernel refuses the send (EINVAL), and nothing leaves loopback either way
        onLoop(() -> {
            sink.toMeta(new byte[] {1}, 1, new InetSocketAddress("127.0.0.1", 0));
            return null;
        });
        assertEquals(1, direct.dropped(), "counted by the relay's direct sends");
        onLoop(() -> {
            sink.toMeta(new byte[] {2}, 1, metaAddress());
            return null;
        });
        assertEquals(2, receive().getData()[0]);
    }

    @Test
    void nothingIsSentOnceTheCallsSocketIsClosed() throws Exception {
        PacketSink sink = shared.sink(metaChannel, tap, direct);
        metaChannel.close().sync();
        // a new socket may take the closed one's number: writing to that number would send from another call's port
        Channel other = bind();
        try {
            onLoop(() -> {
                sink.toMeta(new byte[] {3}, 1, metaAddress());
                return null;
            });
            meta.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, this::receive, "nothing from a closed call's socket");
            assertEquals(List.of(), tapped, "nor in the capture");
            assertEquals(0, direct.dropped(), "a call that ended drops nothing worth a warning");
        } finally {
            other.close().sync();
        }
    }

    private Channel bind() throws InterruptedException {
        return new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .handler(NettyMediaSession.inboundHandler())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return group.next().submit(task).get(5, TimeUnit.SECONDS);
    }

    private InetSocketAddress metaAddress() {
        return new InetSocketAddress("127.0.0.1", meta.getLocalPort());
    }

    private DatagramPacket receive() throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        meta.receive(p);
        return p;
    }

    private static int port(Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }
}
