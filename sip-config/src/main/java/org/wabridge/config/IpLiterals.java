package org.wabridge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict IP literal parsing that never resolves names. {@link InetAddress#getByName} would
 * look up a hex-looking word such as {@code cafe} in DNS and accepts legacy forms such as
 * {@code 10.1}; configuration values must not do either.
 */
public final class IpLiterals {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private IpLiterals() {}

    /**
     * The address written in {@code text} (dotted-quad IPv4, or IPv6 with or without brackets),
     * or null when {@code text} is not an IP literal. IPv4-mapped IPv6 forms come back as IPv4.
     */
    public static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        Matcher v4 = IPV4.matcher(t);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return fromBytes(bytes);
        }
        if (t.indexOf(':') >= 0 && IPV6_CHARS.matcher(t).matches()) {
            try {
                // A text containing ':' is always treated as an IPv6 literal: no DNS lookup happens.
                return InetAddress.getByName(t);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    public static boolean isIpLiteral(String text) {
        return parse(text) != null;
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
        InetAddress address = parse(h);
        return address != null && address.isLoopbackAddress();
    }

    /** True for 0.0.0.0 and :: (bind to every interface). */
    public static boolean isWildcard(String host) {
        InetAddress address = parse(host);
        return address != null && address.isAnyLocalAddress();
    }

    private static InetAddress fromBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always a valid IPv4 address", e);
        }
    }
}
