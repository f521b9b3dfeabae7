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
    void slash128AndIpv6HostBits() {
        Cidr host = Cidr.parse("2001:db8::1/128");
        assertTrue(host.contains(ip("2001:db8::1")));
        assertFalse(host.contains(ip("2001:db8::2")));
        assertEquals(host, Cidr.parse("2001:DB8:0::1"));
        assertEquals(Cidr.parse("2001:db8::/32"), Cidr.parse("2001:db8:ffff::1/32"));
        assertEquals(128, host.prefixLength());
    }

    @Test
    void slashZeroWithHostBitsIsStillEverything() {
        Cidr all = Cidr.parse("192.0.2.1/0");
        assertTrue(all.matchesEverything());
        assertTrue(all.contains(ip("10.0.0.1")));
        assertEquals(Cidr.parse("0.0.0.0/0"), all);
        assertTrue(Cidr.parse("2001:db8::1/0").contains(ip("::1")));
    }

    @Test
    void ipv4MappedAddressesMatchTheirIpv4NetworkAndMappedNetworksAreRefused() throws Exception {
        // the JDK hands a mapped source address over as IPv4 (IpLiterals does the same)
        assertTrue(Cidr.parse("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
        assertTrue(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("::ffff:10.1.2.3")));
        for (String mapped : new String[] {"::ffff:10.0.0.0/104", "::ffff:0:0/96", "::ffff:10.0.0.1", "::ffff:10.0.0.0/200"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(mapped), mapped);
            assertTrue(e.getMessage().contains("IPv4-mapped IPv6 network; write it as IPv4"), e.getMessage());
        }
    }

    @Test
    void zoneIdsAreRefusedAndAScopedSourceMatchesItsNetwork() throws Exception {
        for (String zoned : new String[] {"fe80::%eth0/64", "fe80::1%eth0", "fe80::/64%eth0"}) {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(zoned), zoned);
        }
        InetAddress scoped = java.net.Inet6Address.getByAddress(null, ip("fe80::1").getAddress(), 3);
        assertTrue(Cidr.parse("fe80::/10").contains(scoped), "the scope of a source address does not matter");
        assertFalse(Cidr.parse("fe80::2/128").contains(scoped));
    }

    @Test
    void leadingZeros() {
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("010.000.000.000/8"), "decimal, never octal");
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("10.0.0.0/008"));
        assertEquals(Cidr.parse("2001:db8::/32"), Cidr.parse("2001:0db8:0000::/32"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("0010.0.0.0/8"));
    }

    @Test
    void prefixProblemsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33")).getMessage()
                .contains("prefix length outside 0..32"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::/129")).getMessage()
                .contains("prefix length outside 0..128"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/x")).getMessage()
                .contains("bad prefix length 'x' (expected 0..32)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("cafe/16")).getMessage()
                .contains("'cafe/16' is not an IP network"));
    }

    @Test
    void garbageIsRefused() {
        for (String bad : new String[] {"10.0.0.0/", "/8", "10.0.0.0//8", "10.0.0.0/8/8", "10.0.0.0/255.0.0.0",
                "10.0.0.0 /8", "10.*.0.0/16", "10.0.0.0-10.0.0.5", "0x0a.0.0.0/8", "10/8", "10.0/16", "10.0.0.0/+8",
                "*", "*/0", "::/-0", "1.2.3.4/8 9", "10.0.0.0\n/8", "１０.0.0.0/8", null, "  ", "/", "::1/12a"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad),
                    String.valueOf(bad));
            assertFalse(e.getMessage().isBlank());
        }
    }
}
