package org.wabridge.config;

import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import inet.ipaddr.ipv4.IPv4AddressStringParameters;
import inet.ipaddr.ipv6.IPv6Address;
import inet.ipaddr.ipv6.IPv6AddressStringParameters;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strict IP literal parsing that never resolves names, on the {@code ipaddress} library. {@link InetAddress#getByName}
 * would look up a hex-looking word such as {@code cafe} in DNS and accepts legacy forms such as {@code 10.1};
 * configuration values, SDP and ICE addresses must do neither.
 *
 * <p>Accepted: dotted-quad IPv4 (four decimal parts of up to three digits, 0-255; a leading zero is a decimal digit,
 * {@code 010.0.0.1} is 10.0.0.1, as the JDK reads it), IPv6 in any RFC 4291 text form (compressed, with an
 * embedded IPv4 part, up to four hex digits a group), either one inside brackets. Refused: names, inet_aton
 * shorthand ({@code 10.1}, {@code 0x0a.0.0.1}, {@code 167772161}, octal), ranges and wildcards ({@code 10.*}),
 * zone ids ({@code fe80::1%eth0}: a configuration or an SDP cannot name our interfaces), prefixes and masks.
 */
public final class IpLiterals {

    /** A single address. */
    static final IPAddressStringParameters ADDRESS = strict(false);
    /** An address with an optional {@code /prefix-length}, for {@link Cidr}. */
    static final IPAddressStringParameters NETWORK = strict(true);

    private IpLiterals() {}

    private static IPAddressStringParameters strict(boolean prefix) {
        IPAddressStringParameters.Builder b = new IPAddressStringParameters.Builder()
                .allowEmpty(false).allowAll(false).allowSingleSegment(false).allowPrefixOnly(false)
                .allowMask(false).allowPrefix(prefix).allowWildcardedSeparator(false).allow_inet_aton(false)
                .setRangeOptions(RangeParameters.NO_RANGE).setEmptyAsLoopback(false);
        IPv4AddressStringParameters.Builder v4 = b.getIPv4AddressParametersBuilder();
        dottedQuad(v4);
        IPv6AddressStringParameters.Builder v6 = b.getIPv6AddressParametersBuilder();
        v6.allowZone(false).allowEmptyZone(false).allowBase85(false).allowMixed(true).allow_mixed_inet_aton(false)
                .allowBinary(false).allowLeadingZeros(true).allowUnlimitedLeadingZeros(false)
                .allowPrefixesBeyondAddressSize(false).allowPrefixLengthLeadingZeros(true)
                .allowWildcardedSeparator(false).setRangeOptions(RangeParameters.NO_RANGE);
        dottedQuad(v6.getEmbeddedIPv4AddressParametersBuilder());
        return b.toParams();
    }

    private static void dottedQuad(IPv4AddressStringParameters.Builder v4) {
        v4.allow_inet_aton(false).allow_inet_aton_hex(false).allow_inet_aton_octal(false)
                .allow_inet_aton_joined_segments(false).allow_inet_aton_single_segment_mask(false)
                .allow_inet_aton_extraneous_digits(false).allowBinary(false)
                .allowLeadingZeros(true).allowUnlimitedLeadingZeros(false)
                .allowPrefixesBeyondAddressSize(false).allowPrefixLengthLeadingZeros(true)
                .allowWildcardedSeparator(false).setRangeOptions(RangeParameters.NO_RANGE);
    }

    /**
     * The address written in {@code text} (see the class comment for the forms), or null when {@code text} is not
     * an IP literal. IPv4-mapped IPv6 forms ({@code ::ffff:192.0.2.1}) come back as IPv4, as the JDK returns them.
     */
    public static InetAddress parse(String text) {
        IPAddress address = address(text);
        return address == null ? null : address.toInetAddress();
    }

    /** As {@link #parse}, as the library's type; null when {@code text} is not an IP literal. */
    static IPAddress address(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        Optional<IPAddress> known = RECENT.get(t);
        if (known == null) {
            IPAddress address = new IPAddressString(t, ADDRESS).getAddress();
            known = Optional.ofNullable(address == null ? null : unmapped(address));
            remember(t, known);
        }
        return known.orElse(null);
    }

    /**
     * Texts parsed lately and what they were: the same few hosts (the PBX's, the edge's, our own) come in every SIP
     * message, and the library's parse costs about as much as the rest of routing a response (BENCHMARKS.md).
     * Bounded: cleared when full, so a sender inventing hosts only costs the parse each time, as without it.
     */
    private static final Map<String, Optional<IPAddress>> RECENT = new ConcurrentHashMap<>();
    private static final int RECENT_MAX = 1024;

    private static void remember(String text, Optional<IPAddress> address) {
        if (RECENT.size() >= RECENT_MAX) {
            RECENT.clear();
        }
        RECENT.put(text, address);
    }

    /** How many texts are remembered now, for tests. */
    static int remembered() {
        return RECENT.size();
    }

    /** {@code ::ffff:a.b.c.d} as the IPv4 address a.b.c.d; any other address as is. */
    static IPAddress unmapped(IPAddress address) {
        if (address.isIPv6() && ((IPv6Address) address).isIPv4Mapped()) {
            return ((IPv6Address) address).getEmbeddedIPv4Address();
        }
        return address;
    }

    public static boolean isIpLiteral(String text) {
        return address(text) != null;
    }

    /** True for 127.0.0.0/8, ::1 and the name {@code localhost}. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        IPAddress address = address(h);
        return address != null && address.isLoopback();
    }

    /** True for 0.0.0.0 and :: (bind to every interface). */
    public static boolean isWildcard(String host) {
        IPAddress address = address(host);
        return address != null && address.isZero();
    }
}
