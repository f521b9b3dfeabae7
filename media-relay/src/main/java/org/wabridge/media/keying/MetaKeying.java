package org.wabridge.media.keying;

import java.net.InetSocketAddress;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.dtls.DtlsSrtpKeys;
import org.wabridge.media.sdp.LocalMedia.LocalDtls;
import org.wabridge.media.sdp.SdpPolicy.DtlsRemote;

/**
 * How a Meta leg in DTLS mode gets its SRTP keys: started when the leg starts, fed the leg's STUN and DTLS datagrams
 * and its clock, it reports the keys (or why there are none) to its {@link Owner}. All methods are called on the
 * call's event loop; none blocks.
 */
public interface MetaKeying extends AutoCloseable {

    /** Told about the outcome; always called on the call's event loop, never from inside a MetaKeying method. */
    interface Owner {
        /** The keys exist; media goes to {@code remote} (the nominated pair's address) from now on. */
        void keyed(DtlsSrtpKeys keys, InetSocketAddress remote, long now);

        /** The leg cannot carry media (ICE, DTLS or consent failed). At most once. */
        void keyingFailed(MetaLegFailure failure, long now);

        /** A step done, for the call's timeline. */
        void milestone(MediaMilestone milestone, long now);
    }

    /** Starts ICE (or, toward a peer without ICE, the handshake). */
    void start(long now);

    /**
     * A datagram on the Meta socket.
     *
     * @return true when it was STUN or DTLS (consumed here); false for anything else (SRTP for the caller)
     */
    boolean onPacket(byte[] data, int length, InetSocketAddress from, long now);

    /** The 20 ms clock: ICE checks, retransmissions, consent freshness. */
    void tick(long now);

    /** Makes the keying of one call's Meta leg (the relay's; a test's fake). */
    @FunctionalInterface
    interface Factory {
        /**
         * @param sdpAddress the address of Meta's m= line (the handshake's destination when Meta has no ICE)
         */
        MetaKeying create(String callId, LocalDtls local,
                          DtlsRemote remote, InetSocketAddress sdpAddress,
                          Owner owner);
    }

    /** Stops ICE and the handshake; nothing is sent or reported afterwards. Never blocks. */
    @Override
    void close();
}
