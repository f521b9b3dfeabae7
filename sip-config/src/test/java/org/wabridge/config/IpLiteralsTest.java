package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The edges of IpLiterals.parse: what is an address, what comes back, and what is refused (never looked up). */
class IpLiteralsTest {

    private static InetAddress bytes(int... b) throws Exception {
        byte[] raw = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            raw[i] = (byte) b[i];
        }
        return InetAddress.getByAddress(raw);
    }

    @Test
    void dottedQuadAndIpv6Forms() throws Exception {
        assertEquals(bytes(192, 0, 2, 1), IpLiterals.parse("192.0.2.1"));
        assertEquals(bytes(255, 255, 255, 255), IpLiterals.parse("255.255.255.255"));
        assertEquals(bytes(0, 0, 0, 0), IpLiterals.parse(" 0.0.0.0 "), "surrounding blanks are trimmed");
        assertEquals(bytes(192, 0, 2, 1), IpLiterals.parse("[192.0.2.1]"), "brackets around IPv4 are tolerated");
        assertEquals(InetAddress.getByName("2001:db8::1"), IpLiterals.parse("2001:DB8:0:0:0:0:0:1"));
        assertEquals(InetAddress.getByName("::1"), IpLiterals.parse("[::1]"));
        assertEquals(InetAddress.getByName("::"), IpLiterals.parse("::"));
        assertEquals(InetAddress.getByName("2001:db8::c000:201"), IpLiterals.parse("2001:db8::192.0.2.1"),
                "an embedded IPv4 part");
    }

    @Test
    void ipv4MappedIpv6ComesBackAsIpv4AndCompatibleStaysIpv6() throws Exception {
        InetAddress mapped = IpLiterals.parse("::ffff:192.0.2.1");
        assertInstanceOf(Inet4Address.class, mapped);
        assertEquals(bytes(192, 0, 2, 1), mapped);
        assertEquals(bytes(192, 0, 2, 1), IpLiterals.parse("[::FFFF:c000:0201]"), "hex form, bracketed");
        assertEquals(bytes(192, 0, 2, 1), IpLiterals.parse("0:0:0:0:0:ffff:192.0.2.1"));
        assertInstanceOf(Inet6Address.class, IpLiterals.parse("::192.0.2.1"),
                "IPv4-compatible (deprecated) is an IPv6 address, as the JDK reads it");
        assertTrue(IpLiterals.isLoopback("::ffff:127.0.0.1"));
        assertTrue(IpLiterals.isWildcard("::ffff:0.0.0.0"));
    }

    @Test
    void leadingZerosAreDecimalUpToTheSegmentWidth() throws Exception {
        assertEquals(bytes(10, 0, 0, 1), IpLiterals.parse("010.000.000.001"), "decimal, never octal (8.0.0.1)");
        assertEquals(bytes(192, 168, 1, 8), IpLiterals.parse("192.168.001.008"));
        assertNull(IpLiterals.parse("0010.0.0.1"), "more than three digits");
        assertNull(IpLiterals.parse("1.2.3.0004"));
        assertEquals(InetAddress.getByName("::1"), IpLiterals.parse("0000:0000:0000:0000:0000:0000:0000:0001"));
        assertNull(IpLiterals.parse("00001::1"), "more than four hex digits");
    }

    @Test
    void zoneIdsAreRefused() {
        for (String zoned : new String[] {"fe80::1%eth0", "fe80::1%25eth0", "fe80::1%", "[fe80::1%eth0]",
                "fe80::1%1"}) {
            assertNull(IpLiterals.parse(zoned), zoned);
        }
    }

    @Test
    void garbageAndLegacyFormsAreRefusedWithoutALookUp() {
        for (String bad : new String[] {null, "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "1.2.3.4.",
                ".1.2.3.4", "1..2.3", "0x7f.0.0.1", "0x7f000001", "2130706433", "127.1", "017700000001",
                "1.2.3.4/32", "::1/128", "1.2.3.4/255.0.0.0", "1:2:3:4:5:6:7:8:9", ":::", "1::2::3", "::1]", "[::1",
                "[[::1]]", "*", "1.2.3.*", "1.2.3.1-5", "1-2.3.4.5", "*:*:*:*:*:*:*:*", "g::1", "::1.2.3", "::1.2.3.4.5",
                "::256.0.0.1", "localhost", "wa.meta.vc", "cafe", "beef", "dead:beef", "1.2.3.4\n5", "1.2.3.4 5",
                "\u0661.\u0662.\u0663.\u0664", "１.２.３.４", "1.2.3.4%eth0", "0b1.2.3.4", "0:0:0:0:0:0:0:0:0"}) {
            assertNull(IpLiterals.parse(bad), String.valueOf(bad));
            assertFalse(IpLiterals.isIpLiteral(bad), String.valueOf(bad));
        }
        assertFalse(IpLiterals.isLoopback(null));
        assertFalse(IpLiterals.isWildcard(null));
        assertFalse(IpLiterals.isWildcard("0.0.0"));
    }

    @Test
    void answersRepeatFromTheRecentTextsAndTheirNumberStaysBounded() throws Exception {
        for (int round = 0; round < 2; round++) { // the second round answers from what the first remembered
            assertEquals(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}), IpLiterals.parse("10.1.2.3"));
            assertEquals(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), IpLiterals.parse("::ffff:192.0.2.1"));
            assertNull(IpLiterals.parse("cafe"));
            assertTrue(IpLiterals.isLoopback("[::1]"));
        }
        // a sender inventing hosts: the memory is cleared, not grown, and answers stay right
        for (int i = 0; i < 5000; i++) {
            assertNull(IpLiterals.parse("host" + i + ".example"));
            assertTrue(IpLiterals.remembered() <= 1024, "remembered " + IpLiterals.remembered());
        }
        assertTrue(IpLiterals.isIpLiteral("10.1.2.3"));
        assertFalse(IpLiterals.isIpLiteral("cafe"));
    }
}
