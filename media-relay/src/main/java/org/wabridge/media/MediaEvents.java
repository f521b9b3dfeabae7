package org.wabridge.media;

import java.net.InetSocketAddress;
import java.time.Duration;

/** What a media session tells the B2BUA. Called on relay threads: implementations must not block. */
public interface MediaEvents {

    /** A leg received nothing for {@code silentFor}: the call should end. */
    void mediaTimeout(Leg leg, Duration silentFor);

    /** True to receive every packet of the session through {@link #packet}; asked once, when it opens. */
    default boolean capturesPackets() {
        return false;
    }

    /** A packet as it is on the wire, in or out (SRTP still encrypted); {@code data} is not kept by the relay. */
    default void packet(InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {}
}
