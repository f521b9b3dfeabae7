package org.wabridge.media.relay;

import java.net.InetSocketAddress;

/** Where a {@link CallMedia} sends packets; the Netty adapter writes them to its sockets. */
public interface PacketSink {

    /** From our PBX RTP port to the PBX. */
    void toPbx(byte[] packet, int length, InetSocketAddress to);

    /** From our Meta port to Meta. */
    void toMeta(byte[] packet, int length, InetSocketAddress to);
}
