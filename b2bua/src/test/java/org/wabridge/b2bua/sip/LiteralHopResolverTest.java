package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gov.nist.javax.sip.stack.HopImpl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import javax.sip.address.Hop;
import org.junit.jupiter.api.Test;

class LiteralHopResolverTest {

    @Test
    void literalsPassWithTheirDefaultPort() {
        LiteralHopResolver r = new LiteralHopResolver();
        Hop v4 = r.resolveAddress(new HopImpl("192.0.2.7", -1, "udp"));
        assertEquals("192.0.2.7:5060", v4.getHost() + ":" + v4.getPort());
        Hop v6 = r.resolveAddress(new HopImpl("[2001:db8::7]", 5070, "tls"));
        assertEquals("[2001:db8::7]:5070", v6.getHost() + ":" + v6.getPort());
        assertEquals(5061, r.resolveAddress(new HopImpl("192.0.2.7", -1, "tls")).getPort());
        assertEquals(0, r.refused());
    }

    @Test
    void aNameFromAMessageIsNeverLookedUp() {
        LiteralHopResolver r = new LiteralHopResolver();
        Hop hop = r.resolveAddress(new HopImpl("saturn.example.com", 5060, "udp"));
        assertEquals(LiteralHopResolver.UNRESOLVED, hop.getHost());
        assertEquals(1, r.refused());
        // what JAIN-SIP then does with the host: rejected as a malformed literal, before any DNS query
        assertThrows(UnknownHostException.class, () -> InetAddress.getByName(hop.getHost()));
    }
}
