package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostResolverTest {

    @Test
    void ipLiteralsAreDigitsAndDotsOrHaveAColon() {
        assertTrue(HostResolver.isIpLiteral("127.0.0.1"));
        assertTrue(HostResolver.isIpLiteral("10.0.0.5"));
        assertTrue(HostResolver.isIpLiteral("::1"));
        assertTrue(HostResolver.isIpLiteral("2001:db8::5"));
        assertFalse(HostResolver.isIpLiteral("wa.meta.vc"));
        assertFalse(HostResolver.isIpLiteral("127.0.0.1a"));
        assertFalse(HostResolver.isIpLiteral(""));
    }
}
