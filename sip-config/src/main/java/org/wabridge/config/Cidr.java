package org.wabridge.config;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import java.net.InetAddress;

/**
 * An IPv4 or IPv6 network in CIDR notation, e.g. 127.0.0.0/8 or 2a03:2880::/32, parsed and matched by the
 * {@code ipaddress} library with the address forms of {@link IpLiterals}. Never resolves names.
 */
public final class Cidr {

    /** Every address of the network (host bits of the written address cleared). */
    private final IPAddress block;
    private final int prefixLength;
    private final String text;

    private Cidr(IPAddress block, int prefixLength, String text) {
        this.block = block;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Parses {@code a.b.c.d/len}, {@code ipv6/len} or a bare address (a single host). Host bits may be set
     * ({@code 10.9.8.7/8} is 10.0.0.0/8); the text is kept as written for messages.
     *
     * @throws IllegalArgumentException with an admin-readable reason
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty value is not an IP network (expected e.g. 10.0.0.0/8)");
        }
        String t = text.trim();
        IPAddress address;
        try {
            address = new IPAddressString(t, IpLiterals.NETWORK).toAddress();
        } catch (AddressStringException e) {
            throw explain(text, t);
        }
        if (address == null) { // not reached with NETWORK (no empty or "*" input), kept for the contract
            throw explain(text, t);
        }
        if (address.isIPv6() && ((IPv6Address) address).isIPv4Mapped()) {
            throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped IPv6 network; write it as IPv4 (e.g. 10.0.0.0/8)");
        }
        Integer prefix = address.getNetworkPrefixLength();
        int length = prefix == null ? address.getBitCount() : prefix;
        IPAddress block = (prefix == null ? address.setPrefixLength(length, false) : address).toPrefixBlock();
        return new Cidr(block, length, t);
    }

    /** Why {@code t} was refused: the prefix when the address part reads, otherwise the whole. */
    private static IllegalArgumentException explain(String text, String t) {
        int slash = t.indexOf('/');
        IPAddress host = slash < 0 || t.startsWith("[") ? null : IpLiterals.address(t.substring(0, slash));
        if (host == null) {
            return new IllegalArgumentException("'" + text + "' is not an IP network (expected e.g. 10.0.0.0/8 or 2001:db8::/32)");
        }
        if (t.substring(0, slash).indexOf(':') >= 0 && host.isIPv4()) {
            return new IllegalArgumentException("'" + text + "' is an IPv4-mapped IPv6 network; write it as IPv4 (e.g. 10.0.0.0/8)");
        }
        String len = t.substring(slash + 1);
        int bits = host.getBitCount();
        if (!len.isEmpty() && len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
        }
        return new IllegalArgumentException("'" + text + "' has a bad prefix length '" + len + "' (expected 0.." + bits + ")");
    }

    /** True when {@code address} is inside this network; an address of the other IP family never is. */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length * 8 != block.getBitCount()) {
            return false;
        }
        // from the bytes: an Inet6Address's scope (zone) is not part of the address and never matters here
        IPAddress candidate = bytes.length == 4 ? new IPv4Address(bytes) : new IPv6Address(bytes);
        return block.contains(candidate);
    }

    /** True for 0.0.0.0/0 and ::/0: every address of that family. */
    public boolean matchesEverything() {
        return prefixLength == 0;
    }

    public int prefixLength() {
        return prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && c.block.equals(block);
    }

    @Override
    public int hashCode() {
        return block.hashCode() * 31 + prefixLength;
    }

    /** As written (trimmed). */
    @Override
    public String toString() {
        return text;
    }
}
