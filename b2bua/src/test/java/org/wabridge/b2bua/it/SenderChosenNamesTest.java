package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * A sender chooses the host in its Via; the bridge never looks it up and never sends there: the answer goes to
 * the packet's source address and port (UDP) or on the connection the request came on (TCP), and the name shows
 * up only as a refused look-up in wabridge_sip_names_not_resolved_total.
 */
class SenderChosenNamesTest {

    @TempDir
    static Path tmp;

    static String options(String via, String callId) {
        return "OPTIONS sip:bridge@127.0.0.1 SIP/2.0\r\n"
                + "Via: " + via + ";branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:probe@saturn.example.com>;tag=9\r\n"
                + "To: <sip:bridge@127.0.0.1>\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void answersGoToThePacketsSourceNotToTheViaName() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int closedEdge = Lab.freePort(); // no edge here: the bridge's start-up connection to it fails, apart
        try (LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, Lab.certs(tmp.resolve("certs")), closedEdge,
                     "lab-secret", Map.of(), relay)) {
            long refusedBefore = bridge.b2bua.floodCounters().namesNotResolved();

            // UDP, no rport: RFC 3261 alone would send the 200 to saturn.example.com:5060 (a DNS look-up)
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                udp.setSoTimeout(3000);
                byte[] bytes = options("SIP/2.0/UDP saturn.example.com:5060", "saturn-udp")
                        .getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("127.0.0.1"), bridge.pbxPort));
                DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
                udp.receive(answer);
                String text = new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
                assertTrue(text.startsWith("SIP/2.0 200 "), text);
                assertTrue(text.contains("received=127.0.0.1") && text.contains("rport=" + udp.getLocalPort()),
                        "the Via says where the answer went: " + text);
            }

            // TCP whose Via names a host and another transport: the answer comes back on this connection
            try (Socket tcp = new Socket()) {
                tcp.connect(new InetSocketAddress("127.0.0.1", bridge.pbxPort), 2000);
                tcp.setSoTimeout(3000);
                tcp.getOutputStream().write(options("SIP/2.0/UDP saturn.example.com", "saturn-tcp")
                        .getBytes(StandardCharsets.UTF_8));
                InputStream in = tcp.getInputStream();
                String text = SipFloodTest.readMessage(in);
                assertTrue(text.startsWith("SIP/2.0 200 "), text);
            }
            assertTrue(bridge.b2bua.floodCounters().namesNotResolved() > refusedBefore,
                    "the stack asked for saturn.example.com and got no address");
            assertEquals(java.util.List.of(), log.problems().stream()
                    .filter(l -> !l.contains("127.0.0.1:" + closedEdge)).toList(), "no ERROR, no exception");
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("Name or service not known")
                    || l.contains("saturn.example.com: ")), "no look-up was attempted:\n" + log.text());
        }
    }
}
