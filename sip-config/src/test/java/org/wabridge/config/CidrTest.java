package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class CidrTest {

    private static InetAddress ip(String literal) {
        InetAddress address = IpLiterals.parse(literal);
        if (address == null) {
            throw new IllegalArgumentException(literal);
        }
        return address;
    }

    @Test
    void ipv4Network() {
        Cidr net = Cidr.parse("10.1.0.0/16");
        assertTrue(net.contains(ip("10.1.0.0")));
        assertTrue(net.contains(ip("10.1.255.255")));
        assertFalse(net.contains(ip("10.2.0.0")));
        assertFalse(net.contains(ip("10.0.255.255")));
    }

    @Test
    void prefixNotOnAByteBoundary() {
        Cidr net = Cidr.parse("192.0.2.64/26");
        assertTrue(net.contains(ip("192.0.2.64")));
        assertTrue(net.contains(ip("192.0.2.127")));
        assertFalse(net.contains(ip("192.0.2.63")));
        assertFalse(net.contains(ip("192.0.2.128")));
    }

    @Test
    void slash32AndBareAddressMatchOneHost() {
        Cidr host = Cidr.parse("192.0.2.10/32");
        assertTrue(host.contains(ip("192.0.2.10")));
        assertFalse(host.contains(ip("192.0.2.11")));
        assertEquals(host, Cidr.parse("192.0.2.10"));
    }

    @Test
    void ipv6Network() {
        Cidr net = Cidr.parse("2a03:2880::/32");
        assertTrue(net.contains(ip("2a03:2880:f003:c07:face:b00c::2")));
        assertFalse(net.contains(ip("2a03:2881::1")));
        Cidr loopback = Cidr.parse("::1/128");
        assertTrue(loopback.contains(ip("::1")));
        assertFalse(loopback.contains(ip("::2")));
    }

    @Test
    void otherFamilyNeverMatches() {
        assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("::1")));
        assertFalse(Cidr.parse("::/0").contains(ip("127.0.0.1")));
    }

    @Test
    void slashZeroMatchesEveryAddressOfItsFamily() {
        Cidr all4 = Cidr.parse("0.0.0.0/0");
        assertTrue(all4.contains(ip("203.0.113.9")));
        assertTrue(all4.contains(ip("255.255.255.255")));
        assertTrue(all4.matchesEverything());
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
        assertFalse(Cidr.parse("10.0.0.0/8").matchesEverything());
    }

    @Test
    void hostBitsAreMaskedAndTheTextIsKept() {
        Cidr net = Cidr.parse(" 10.9.8.7/8 ");
        assertEquals(Cidr.parse("10.0.0.0/8"), net);
        assertEquals("10.9.8.7/8", net.toString());
        assertTrue(net.contains(ip("10.200.0.1")));
    }

    @Test
    void invalidNetworksAreRejectedWithoutNameLookups() {
        for (String bad : new String[] {"cafe", "cafe/16", "localhost", "10.1", "10.0.0.256/8", "10.0.0.0/33",
                "10.0.0.0/-1", "10.0.0.0/x", "::/129", "[::1]/128", "::ffff:10.0.0.0/104", "", "1.2.3.4/ 8"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
    }

    @Test
    void networkAccessorCannotChangeTheRecord() {
        Cidr net = Cidr.parse("10.0.0.0/8");
        net.network()[0] = 11;
        assertTrue(net.contains(ip("10.1.2.3")));
    }
}
