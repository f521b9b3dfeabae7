package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.BridgeException;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/** A bridge that cannot bind a listener fails to start with why, not with an error from tearing the stack down. */
class BridgeStartFailureTest {

    @TempDir
    Path tmp;

    @Test
    void aMetaPortInUseFailsTheStartWithTheReason() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        // the PBX listeners bind first, then Meta's TLS port is taken: JAIN-SIP's stop of the half-built stack threw
        // (ConcurrentModificationException here, a NullPointerException in UDPMessageProcessor.stop in another run),
        // which hid the real cause
        try (ServerSocket taken = new ServerSocket(ports.meta, 1, InetAddress.getLoopbackAddress());
             MediaRelay relay = new NettyMediaRelay(ports.mediaSettings())) {
            BridgeException e = assertThrows(BridgeException.class,
                    () -> new BridgeUnderTest(ports, certs, Lab.freePort(), "lab-secret", Map.of(), relay).close());
            assertTrue(e.getMessage().startsWith("cannot start the SIP side"), e.getMessage());
            assertTrue(e.getMessage().contains(String.valueOf(ports.meta)) || e.getMessage().contains("in use"),
                    "the message says which port or why: " + e.getMessage());
        }
    }
}
