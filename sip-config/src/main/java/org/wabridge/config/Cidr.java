package org.wabridge.config;

import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 network in CIDR notation, e.g. 127.0.0.0/8 or 2a03:2880::/32. */
public record Cidr(byte[] network, int prefixLength, String text) {

    /**
     * Parses {@code a.b.c.d/len}, {@code ipv6/len} or a bare address (a single host).
     * Never resolves names.
     *
     * @throws IllegalArgumentException with an admin-readable reason
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty value is not an IP network (expected e.g. 10.0.0.0/8)");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        InetAddress address = IpLiterals.parse(host);
        if (address == null || host.startsWith("[")) {
            throw new IllegalArgumentException("'" + text + "' is not an IP network (expected e.g. 10.0.0.0/8 or 2001:db8::/32)");
        }
        byte[] addr = address.getAddress();
        if (host.indexOf(':') >= 0 && addr.length == 4) {
            throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped IPv6 network; write it as IPv4 (e.g. 10.0.0.0/8)");
        }
        int bits = addr.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String len = t.substring(slash + 1);
            if (!len.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length '" + len + "' (expected 0.." + bits + ")");
            }
            prefix = Integer.parseInt(len);
        }
        if (prefix > bits) {
            throw new IllegalArgumentException("'" + text + "' has a prefix length outside 0.." + bits);
        }
        return new Cidr(mask(addr, prefix), prefix, t);
    }

    /** True when {@code address} is inside this network; an address of the other IP family never is. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(a, prefixLength), network);
    }

    /** True for 0.0.0.0/0 and ::/0: every address of that family. */
    public boolean matchesEverything() {
        return prefixLength == 0;
    }

    @Override
    public byte[] network() {
        return network.clone();
    }

    private static byte[] mask(byte[] addr, int prefix) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    @Override
    public String toString() {
        return text;
    }
}
