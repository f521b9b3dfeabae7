package org.wabridge.media.ice;

import java.net.InetSocketAddress;

/** Where ICE's datagrams go: the relay writes them from the Meta leg's socket for {@code from}'s address family. */
public interface IceTransport {

    /**
     * Sends one STUN datagram.
     *
     * @param from our candidate it must leave from (its base: the relay's socket of that address)
     * @param to   the peer's address
     */
    void send(byte[] datagram, InetSocketAddress from, InetSocketAddress to);
}
