package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.media.MediaRelay;

/**
 * Meta's edge reached by name through a fake DNS (no meta.edgeAddress pinned), with the Kamailio edge on
 * 127.0.0.1 only: other loopback addresses refuse its port, like a dead edge node.
 */
class EdgeDnsTest {

    static final String PASSWORD = EdgeFixture.PASSWORD;

    @RegisterExtension
    static final EdgeFixture EDGE = new EdgeFixture();

    static InetAddress loopback(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    private static BridgeUnderTest bridge(BridgeUnderTest.Ports ports, MediaRelay relay, HostResolver resolver)
            throws Exception {
        return new BridgeUnderTest(ports, EDGE.certs(), EDGE.edge().tlsPort, PASSWORD, Map.of("edgeAddress", ""), relay,
                new CallCaptures(CallCaptures.Mode.OFF, null, 0), cfg -> CallObserver.NONE, resolver);
    }

    @Test
    void whenTheFirstAddressRefusesTheCallGoesThroughTheSecond() throws Exception {
        List<InetAddress> twoRecords = List.of(loopback(2), loopback(1));
        HostResolver dns = new HostResolver(host -> twoRecords, Duration.ofSeconds(60));
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = BusinessInitiatedCallTest.relay(ports);
             BridgeUnderTest bridge = bridge(ports, relay, dns)) {
            int[] exits = BusinessInitiatedCallTest.call(bridge, EDGE.edge(), "meta-uas-answer.xml", "pbx-uac-call.xml",
                    "u1", List.of());
            assertEquals(0, exits[0], "PBX call must complete through the edge's second address");
            assertEquals(0, exits[1], "WhatsApp side must see INVITE, ACK and BYE");
            assertTrue(EDGE.edge().log().contains("EDGE: auth ok user '15550100001'"), EDGE.edge().log());
            assertTrue(log.text().contains("connection to wa.meta.vc (127.0.0.2) failed"), log.text());
            assertEquals(loopback(1), dns.resolve("wa.meta.vc"), "the working address is preferred from now on");
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void aChangedDnsAnswerIsUsedWithoutARestart() throws Exception {
        AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(loopback(3)));
        HostResolver dns = new HostResolver(host -> answer.get(), Duration.ofMillis(500));
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = BusinessInitiatedCallTest.relay(ports);
             BridgeUnderTest bridge = bridge(ports, relay, dns)) {
            int[] dead = BusinessInitiatedCallTest.call(bridge, EDGE.edge(), null, "pbx-uac-fail-503.xml", "u1",
                    List.of());
            assertEquals(0, dead[0], "the edge's old address refuses: the PBX gets 503");
            assertTrue(log.text().contains("local.edge-unreachable"), log.text());

            answer.set(List.of(loopback(1))); // the edge moved
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!dns.resolve("wa.meta.vc").equals(loopback(1)) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(loopback(1), dns.resolve("wa.meta.vc"), "the bridge's resolver took the new answer");
            assertTrue(log.text().contains("DNS: wa.meta.vc now [127.0.0.1] (was [127.0.0.3])"), log.text());

            int[] exits = BusinessInitiatedCallTest.call(bridge, EDGE.edge(), "meta-uas-answer.xml", "pbx-uac-call.xml",
                    "u1", List.of());
            assertEquals(0, exits[0], "the same bridge, not restarted, reaches the edge at its new address");
            assertEquals(0, exits[1], "WhatsApp side must see INVITE, ACK and BYE");
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }
}
