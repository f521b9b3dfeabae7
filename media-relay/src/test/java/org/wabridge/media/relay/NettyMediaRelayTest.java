package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.media.MediaException;
import org.wabridge.media.MediaSession;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;

/** Ports and threads of the Netty relay (ports 31400-31499 are this class's). */
class NettyMediaRelayTest {

    private static final int MIN = 31400;
    private static final int MAX = 31419; // 5 calls of 4 ports

    @Test
    void portsAreReleasedOnCloseAndExhaustionIsReportedClearly() throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX))) {
            assertTrue(relay.usesEpoll(), "native epoll should load on Linux x86-64");
            for (int round = 0; round < 8; round++) { // 40 calls through a range that holds 5
                List<MediaSession> open = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    open.add(relay.open("call-" + round + "-" + i, (leg, d) -> { }));
                }
                assertEquals(5, relay.activeSessions());
                MediaException full = assertThrows(MediaException.class, () -> relay.open("one-too-many", (l, d) -> { }));
                assertTrue(full.getMessage().contains("no free UDP ports"), full.getMessage());
                assertTrue(full.getMessage().contains(MIN + "-" + MAX), full.getMessage());
                open.forEach(MediaSession::close);
                open.get(0).close(); // idempotent
                assertEquals(0, relay.activeSessions());
            }
            for (int port = MIN; port <= MAX; port++) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    assertEquals(port, s.getLocalPort(), "port " + port + " is free again");
                }
            }
        }
    }

    @Test
    void aPortHeldBySomethingElseIsSkipped() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 31442));
             NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31440, 31447))) {
            MediaSession session = relay.open("skip", (l, d) -> { });
            String offer = session.metaOfferFromPbxOffer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                    + "t=0 0\r\nm=audio 5000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n");
            assertTrue(offer.contains("m=audio 31446 RTP/SAVP"), "second block, Meta port base+2:\n" + offer);
            assertNotEquals(0, squatter.getLocalPort());
            assertThrows(MediaException.class, () -> relay.open("full", (l, d) -> { }));
        }
    }

    @Test
    void closingTheRelayEndsItsThreadsAndSessions() throws Exception {
        NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31460, 31479));
        relay.open("a", (l, d) -> { });
        relay.open("b", (l, d) -> { });
        assertTrue(relayThreads() > 0);
        relay.close();
        assertEquals(0, relay.activeSessions());
        long deadline = System.currentTimeMillis() + 5000;
        while (relayThreads() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, relayThreads(), "relay threads left after close()");
        assertThrows(MediaException.class, () -> relay.open("late", (l, d) -> { }));
        for (int port = 31460; port <= 31479; port++) {
            new DatagramSocket(new InetSocketAddress("127.0.0.1", port)).close();
        }
    }

    private static long relayThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(NettyMediaRelay.THREAD_PREFIX)).count();
    }
}
