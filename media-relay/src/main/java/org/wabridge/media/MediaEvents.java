package org.wabridge.media;

import java.net.InetSocketAddress;
import java.time.Duration;

/** What a media session tells the B2BUA. Called on relay threads: implementations must not block. */
public interface MediaEvents {

    /** A leg received nothing for {@code silentFor}: the call should end. */
    void mediaTimeout(Leg leg, Duration silentFor);

    /**
     * The Meta leg cannot carry media (DTLS mode: ICE, the handshake, or consent failed): the call should end with
     * this failure's cause. At most once per session.
     */
    default void metaLegFailed(MetaLegFailure failure) {}

    /** A set-up step of the Meta leg, {@code sinceStart} after {@link MediaSession#startMetaLeg()} ran. */
    default void milestone(MediaMilestone milestone, Duration sinceStart) {}

    /** True to receive every packet of the session through {@link #packet}; asked once, when it opens. */
    default boolean capturesPackets() {
        return false;
    }

    /** A packet as it is on the wire, in or out (SRTP still encrypted); {@code data} is not kept by the relay. */
    default void packet(InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {}
}
