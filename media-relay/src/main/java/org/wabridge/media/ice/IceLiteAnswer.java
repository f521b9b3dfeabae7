package org.wabridge.media.ice;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;

/**
 * What an ICE-lite agent (Meta's media relay) does with a datagram that looks like STUN: a Binding request with a
 * valid MESSAGE-INTEGRITY under our password gets a success response carrying the sender's address; anything else
 * gets nothing. For the stand-ins of Meta (the sandbox, the keying benchmark), not for the bridge, which is the
 * controlling full agent.
 */
public final class IceLiteAnswer {

    private IceLiteAnswer() {}

    /**
     * The response to send back to {@code from}, or empty when the datagram is not an authenticated Binding request.
     *
     * @throws StunCodec.MalformedStunException when an authenticated datagram does not parse as STUN
     * @throws StunException when ice4j cannot build the response
     */
    public static Optional<byte[]> to(byte[] datagram, int offset, int length, InetSocketAddress from, byte[] key)
            throws StunCodec.MalformedStunException, StunException {
        if (StunCodec.checkIntegrity(datagram, offset, length, key) != StunCodec.Integrity.VALID) {
            return Optional.empty();
        }
        Message m = StunCodec.decode(datagram, offset, length);
        if (m.getMessageType() != Message.BINDING_REQUEST) {
            return Optional.empty();
        }
        Response r = MessageFactory.createBindingResponse((Request) m,
                new TransportAddress(from.getAddress(), from.getPort(), Transport.UDP));
        r.setTransactionID(m.getTransactionID());
        return Optional.of(StunCodec.encode(r, key));
    }
}
