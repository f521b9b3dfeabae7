package org.wabridge.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay relays one throw-away call on local sockets while it is constructed (the first real call then finds
 * that code warm), receives its first SRTP packet, and leaves nothing open; without free ports it still starts.
 * Ports 31488-31499 are this class's.
 */
class MediaWarmUpTest {

    @Test
    void theConstructorRelaysAWarmUpCallAndLeavesNothingOpen() throws Exception {
        int before = MediaWarmUp.completed();
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31488, 31495))) {
            assertEquals(before + 1, MediaWarmUp.completed(), "the constructor ran the warm-up call");
            assertEquals(0, relay.activeSessions());
            assertNull(MediaWarmUp.run(relay, "0.0.0.0"), "a relay bound to every address warms up via loopback");
            assertEquals(0, relay.activeSessions());
        }
        for (int port = 31488; port <= 31495; port++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                assertEquals(port, s.getLocalPort(), "port " + port + " is free again");
            }
        }
    }

    @Test
    void withoutFreePortsTheWarmUpIsSkippedAndTheRelayStillStarts() throws Exception {
        List<DatagramSocket> squatters = new ArrayList<>();
        try {
            for (int port = 31496; port <= 31499; port++) {
                squatters.add(new DatagramSocket(new InetSocketAddress("127.0.0.1", port)));
            }
            int before = MediaWarmUp.completed();
            try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31496, 31499))) {
                assertEquals(before, MediaWarmUp.completed());
                String why = MediaWarmUp.run(relay, "127.0.0.1");
                assertNotNull(why);
                assertTrue(why.contains("no free UDP ports"), why);
                assertEquals(0, relay.activeSessions());
            }
        } finally {
            squatters.forEach(DatagramSocket::close);
        }
    }
}
