package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * The bridge's UDP read loop (sip/UdpProcessor: one receive buffer kept, each datagram's bytes copied out): datagrams
 * of very different sizes sent back to back are each read whole and alone, none takes bytes of the one before, and
 * the answers leave from the port the PBX sent to, as JAIN-SIP's own loop had them. A datagram that arrives while
 * the loop waits is processed by the loop's thread: no worker is woken for it.
 */
class UdpDatagramsTest {

    @TempDir
    static Path tmp;

    private static String options(String callId, int padding) {
        return "OPTIONS sip:bridge@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:pbx@127.0.0.1>;tag=7\r\n"
                + "To: <sip:bridge@127.0.0.1>\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\n"
                + (padding > 0 ? "X-Padding: " + "p".repeat(padding) + "\r\n" : "")
                + "Content-Length: 0\r\n\r\n";
    }

    private static Set<String> udpWorkers() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.contains("-UDPMessageChannelThread-")).collect(Collectors.toCollection(HashSet::new));
    }

    @Test
    @Timeout(60)
    void datagramsLargeAndSmallBackToBackAreEachAnsweredFromTheListeningPort() throws Exception {
        Set<String> workersBefore = udpWorkers();
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int closedEdge = Lab.freePort(); // OPTIONS needs no edge
        try (LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, Lab.certs(tmp.resolve("certs")), closedEdge,
                     "lab-secret", Map.of(), relay);
             DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            pbx.setSoTimeout(5000);
            InetAddress bridgeHost = InetAddress.getByName("127.0.0.1");
            int count = 60;
            int burst = 6; // more at once can overflow the socket's receive buffer (9 KB datagrams), on any stack
            Set<String> answered = new HashSet<>();
            for (int first = 0; first < count; first += burst) {
                for (int i = first; i < first + burst; i++) {
                    // a large datagram, then small ones: a small one read into the buffer the large one left
                    // behind must end where its own bytes end
                    byte[] bytes = options("udp-" + i, i % 3 == 0 ? 9_000 : 0).getBytes(StandardCharsets.US_ASCII);
                    pbx.send(new DatagramPacket(bytes, bytes.length, bridgeHost, bridge.pbxPort));
                }
                for (int i = first; i < first + burst; i++) {
                    DatagramPacket answer = new DatagramPacket(new byte[16_384], 16_384);
                    pbx.receive(answer);
                    assertEquals(bridge.pbxPort, answer.getPort(), "the answer leaves from the port the PBX sent to");
                    String text = new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
                    assertTrue(text.startsWith("SIP/2.0 200 "), text);
                    String callId = text.lines().filter(l -> l.startsWith("Call-ID: ")).findFirst().orElseThrow()
                            .substring("Call-ID: ".length());
                    assertTrue(answered.add(callId), "answered once: " + callId);
                }
            }
            assertEquals(count, answered.size());
            Set<String> workers = udpWorkers();
            workers.removeAll(workersBefore); // other bridges of this JVM may still have theirs
            assertEquals(16, workers.size(), "this bridge's stack runs its 16 UDP workers: " + workers);
            assertEquals(List.of(), log.problems().stream()
                    .filter(l -> !l.contains("127.0.0.1:" + closedEdge)).toList(), "no ERROR, no exception");
        }
    }

    @Test
    @Timeout(60)
    void aDatagramThatArrivesWhileTheLoopWaitsIsProcessedWithoutWakingAWorker() throws Exception {
        Set<String> workersBefore = udpWorkers();
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int closedEdge = Lab.freePort();
        try (MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, Lab.certs(tmp.resolve("certs-inline")), closedEdge,
                     "lab-secret", Map.of(), relay);
             DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            pbx.setSoTimeout(5000);
            InetAddress bridgeHost = InetAddress.getByName("127.0.0.1");
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            // the stack's reading thread starts its workers once it runs, which may be after the bridge is up
            List<Long> workers = List.of();
            for (long deadline = System.nanoTime() + 5_000_000_000L; System.nanoTime() < deadline; Thread.sleep(10)) {
                workers = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().contains("-UDPMessageChannelThread-"))
                        .filter(t -> !workersBefore.contains(t.getName()))
                        .map(Thread::getId).toList();
                if (workers.size() >= 16) {
                    break;
                }
            }
            assertEquals(16, workers.size());
            long before = workers.stream().mapToLong(cpu::getThreadCpuTime).sum();
            for (int i = 0; i < 20; i++) {
                Thread.sleep(20); // the loop is waiting when each one arrives
                byte[] bytes = options("inline-" + i, 0).getBytes(StandardCharsets.US_ASCII);
                pbx.send(new DatagramPacket(bytes, bytes.length, bridgeHost, bridge.pbxPort));
                DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
                pbx.receive(answer);
                String text = new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
                assertTrue(text.startsWith("SIP/2.0 200 ") && text.contains("Call-ID: inline-" + i), text);
            }
            long workersCpu = workers.stream().mapToLong(cpu::getThreadCpuTime).sum() - before;
            // parsing, matching and answering one OPTIONS takes tens of microseconds of a thread: 20 of them on the
            // workers would show; processed by the loop, the workers stay blocked on their queue
            assertTrue(workersCpu < 100_000, "the UDP workers used " + workersCpu / 1000 + " µs of CPU for 20 spaced"
                    + " datagrams: they were woken for them");
        }
    }
}
