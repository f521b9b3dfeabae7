package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * The PBX-side UDP listener receives into one buffer: what its receive thread allocates per datagram is about the
 * datagram, not JAIN-SIP's 64 KB array per datagram. Every probe is answered, so the datagrams were parsed whole,
 * small and large alike (a reused buffer must not leak one datagram's bytes into the next).
 */
class UdpReceiveAllocationTest {

    private static final int PROBES = 300;

    @TempDir
    static Path tmp;

    private static String options(int i, int padding, int fromPort) {
        String body = "x".repeat(padding);
        return "OPTIONS sip:bridge@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + fromPort + ";branch=z9hG4bK-alloc-" + i + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=alloc" + i + "\r\n"
                + "To: <sip:bridge@127.0.0.1>\r\n"
                + "Call-ID: alloc-" + i + "@127.0.0.1\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "X-Padding: " + body + "\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static Thread receiveThread(int port) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("MessageProcessorThread-UDP-") && t.getName().endsWith("/" + port))
                .findFirst().orElseThrow(() -> new AssertionError("no UDP receive thread for port " + port));
    }

    @Test
    void aDatagramCostsItsOwnSizeNotTheLargestMessage() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, Lab.freePort(), "unused", Map.of(), relay);
             DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            probe.setSoTimeout(5000);
            InetAddress bridgeHost = InetAddress.getLoopbackAddress();
            // Warm-up: the receive loop's first datagrams load classes and fill the JIT's profiles.
            exchange(probe, bridgeHost, bridge.pbxPort, 0, 20);
            long threadId = receiveThread(bridge.pbxPort).getId();
            long before = threads.getThreadAllocatedBytes(threadId);
            int answered = exchange(probe, bridgeHost, bridge.pbxPort, 20, PROBES);
            long perDatagram = (threads.getThreadAllocatedBytes(threadId) - before) / PROBES;
            assertEquals(PROBES, answered, "every probe, small or large, was parsed and answered");
            // The probes are 0.4-12 KB; JAIN-SIP's own loop allocated 64 KB + the datagram for each.
            assertTrue(perDatagram < 16 * 1024, "the receive thread allocated " + perDatagram + " bytes per datagram");
        }
    }

    /** Sends {@code count} OPTIONS of varying size one at a time; returns how many got their 200. */
    private static int exchange(DatagramSocket probe, InetAddress host, int port, int first, int count)
            throws Exception {
        int answered = 0;
        byte[] answer = new byte[65_536];
        for (int i = first; i < first + count; i++) {
            String message = options(i, i % 10 == 0 ? 12_000 : 40, probe.getLocalPort());
            byte[] datagram = message.getBytes(StandardCharsets.US_ASCII);
            probe.send(new DatagramPacket(datagram, datagram.length, host, port));
            DatagramPacket reply = new DatagramPacket(answer, answer.length);
            probe.receive(reply);
            String text = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
            if (text.startsWith("SIP/2.0 200 ") && text.contains("Call-ID: alloc-" + i + "@127.0.0.1")) {
                answered++;
            }
        }
        return answered;
    }
}
