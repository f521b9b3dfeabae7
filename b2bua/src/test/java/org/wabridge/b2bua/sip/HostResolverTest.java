package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HostResolverTest {

    @Test
    void literalsComeBackAsTheyAreWrittenAndAreNotRemembered() throws Exception {
        HostResolver resolver = new HostResolver();
        assertEquals(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), resolver.resolve("127.0.0.1"));
        assertEquals(InetAddress.getByAddress(new byte[] {10, 0, 0, 5}), resolver.resolve("010.0.0.5"));
        InetAddress v6 = resolver.resolve("[2001:db8::5]");
        assertEquals(InetAddress.getByName("2001:db8::5"), v6);
        assertTrue(resolver.nameOf(v6).isEmpty(), "a literal is nobody's name");
    }

    @Test
    void ipLiteralsAreCheckedByTheSharedParser() {
        assertTrue(HostResolver.isIpLiteral("127.0.0.1"));
        assertTrue(HostResolver.isIpLiteral("10.0.0.5"));
        assertTrue(HostResolver.isIpLiteral("::1"));
        assertTrue(HostResolver.isIpLiteral("2001:db8::5"));
        assertFalse(HostResolver.isIpLiteral("wa.meta.vc"));
        assertFalse(HostResolver.isIpLiteral("127.0.0.1a"));
        assertFalse(HostResolver.isIpLiteral(""));
        assertFalse(HostResolver.isIpLiteral("999.0.0.1"), "digits and dots, but no address (JDK: a DNS name)");
        assertFalse(HostResolver.isIpLiteral("1.2.3.4.5"));
        assertFalse(HostResolver.isIpLiteral("fe80::1%eth0"));
    }

    @Test
    void aPinnedNameResolvesToItsAddressWithoutALookUp() throws Exception {
        HostResolver resolver = new HostResolver();
        InetAddress lab = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        resolver.pin("wa.meta.vc", lab);
        assertEquals(lab, resolver.resolve("WA.meta.vc"));
        assertEquals("wa.meta.vc", resolver.nameOf(lab).orElseThrow());
    }
}
