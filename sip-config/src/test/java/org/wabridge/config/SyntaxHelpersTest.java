package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** SipUri, Durations and IpLiterals. */
class SyntaxHelpersTest {

    @Test
    void sipUriParts() {
        SipUri uri = SipUri.parse("sip:wa.meta.vc:5061;transport=TLS;lr");
        assertEquals("sip", uri.scheme());
        assertNull(uri.user());
        assertEquals("wa.meta.vc", uri.host());
        assertEquals(5061, uri.port());
        assertEquals("tls", uri.transport());
        assertEquals(Map.of("transport", "TLS", "lr", ""), uri.params());
        assertFalse(uri.hostIsIpLiteral());
    }

    @Test
    void sipUriWithUserParametersAndIpv6Host() {
        SipUri uri = SipUri.parse("sip:+1234567890;tgrp=wacall@[2001:db8::5]:5070");
        assertEquals("+1234567890;tgrp=wacall", uri.user());
        assertEquals("2001:db8::5", uri.host());
        assertEquals(5070, uri.port());
        assertTrue(uri.hostIsIpLiteral());
        assertEquals(-1, SipUri.parse("SIPS:example.test").port());
        assertEquals("sips", SipUri.parse("SIPS:example.test").scheme());
    }

    @Test
    void sipUriRejects() {
        for (String bad : new String[] {"", "tel:+15550100001", "sip:", "sip:@host", "sip:host:0", "sip:host:abc",
                "sip:ho st", "sip:host;;lr", "sip:host?subject=x", "sip:[2001:db8::5", "sip:[nothost]:5060"}) {
            assertThrows(IllegalArgumentException.class, () -> SipUri.parse(bad), bad);
        }
    }

    @Test
    void durationForms() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofSeconds(45), Durations.parse("45"), "plain integers are seconds");
        assertEquals(Duration.ofSeconds(2), Durations.parse(" 2 s "));
        for (String bad : new String[] {"", "1.5s", "-1s", "5 seconds", "1d", "s", "10S"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
    }

    @Test
    void durationFormatRoundTrips() {
        for (String text : new String[] {"500ms", "1500ms", "30s", "5m", "90s", "1h", "0s"}) {
            assertEquals(text, Durations.format(Durations.parse(text)));
        }
    }

    @Test
    void ipLiterals() {
        assertTrue(IpLiterals.isIpLiteral("192.0.2.1"));
        assertTrue(IpLiterals.isIpLiteral("[::1]"));
        assertTrue(IpLiterals.isIpLiteral("2001:db8::1"));
        assertFalse(IpLiterals.isIpLiteral("192.0.2"));
        assertFalse(IpLiterals.isIpLiteral("192.0.2.256"));
        assertFalse(IpLiterals.isIpLiteral("beef"), "hex-looking names are not addresses and are not looked up");
        assertFalse(IpLiterals.isIpLiteral("wa.meta.vc"));
        assertTrue(IpLiterals.isLoopback("127.9.9.9"));
        assertTrue(IpLiterals.isLoopback("::1"));
        assertTrue(IpLiterals.isLoopback("localhost"));
        assertFalse(IpLiterals.isLoopback("10.0.0.1"));
        assertTrue(IpLiterals.isWildcard("0.0.0.0"));
        assertTrue(IpLiterals.isWildcard("::"));
        assertFalse(IpLiterals.isWildcard("127.0.0.1"));
    }
}
