package org.wabridge.media.ice;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One UDP candidate of component 1 (RTP and RTCP are multiplexed on the Meta leg, so there is no component 2).
 *
 * @param foundation RFC 8445 foundation
 * @param priority   RFC 8445 section 5.1.2 priority
 * @param address    an IP literal and port, never a host name
 * @param type       host, prflx (learned from a check), srflx or relay (only as the peer gives them)
 */
public record IceCandidate(String foundation, long priority, InetSocketAddress address, Type type) {

    public static final int COMPONENT = 1;

    public enum Type {
        HOST("host", 126), PRFLX("prflx", 110), SRFLX("srflx", 100), RELAY("relay", 0);

        final String sdp;
        final int preference;

        Type(String sdp, int preference) {
            this.sdp = sdp;
            this.preference = preference;
        }

        static Type fromSdp(String s) {
            for (Type t : values()) {
                if (t.sdp.equalsIgnoreCase(s)) {
                    return t;
                }
            }
            return null;
        }
    }

    public IceCandidate {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("an ICE candidate needs an IP address, not " + address);
        }
    }

    /** RFC 8445 section 5.1.2.1: (2^24) type preference + (2^8) local preference + (256 - component). */
    public static long priority(Type type, int localPreference) {
        return ((long) type.preference << 24) | ((long) (localPreference & 0xFFFF) << 8) | (256 - COMPONENT);
    }

    public boolean isIpv6() {
        return address.getAddress() instanceof Inet6Address;
    }

    /** The SDP attribute value, e.g. {@code candidate:1 1 udp 2130706431 203.0.113.5 40000 typ host}. */
    public String sdpValue() {
        return "candidate:" + foundation + " " + COMPONENT + " udp " + priority + " "
                + IceSdp.literal(address.getAddress()) + " " + address.getPort() + " typ " + type.sdp;
    }

    /** The SDP line without its line ending: {@code a=candidate:...}. */
    public String sdpLine() {
        return "a=" + sdpValue();
    }

    static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet6Address) == (b instanceof Inet6Address);
    }
}
