package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.IceControllingAttribute;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.wabridge.media.ice.StunCodec.Integrity;

/**
 * A scripted ICE-lite peer (Meta's side) for the agent tests: it checks every Binding request it receives as an
 * ICE-lite agent would (USERNAME, MESSAGE-INTEGRITY with its password, FINGERPRINT, ICE-CONTROLLING, PRIORITY)
 * and answers according to the test's script.
 */
final class FakeLitePeer {

    record Check(long at, InetSocketAddress from, InetSocketAddress to, byte[] transactionId, boolean useCandidate,
                 long priority, long tieBreaker) {}

    /** How the peer answers one check; null means it does not answer. */
    interface Script {
        Answer answer(Check check, int index);
    }

    record Answer(InetSocketAddress from, InetSocketAddress mapped, byte[] key, Integer errorCode) {}

    final IceCredentials credentials;
    final String ourUfrag;
    final List<Check> checks = new ArrayList<>();
    Script script;

    FakeLitePeer(IceCredentials credentials, String ourUfrag) {
        this.credentials = credentials;
        this.ourUfrag = ourUfrag;
        this.script = (c, i) -> answer(c);
    }

    /** The normal answer: from where the check went, our address as seen, integrity with the peer's password. */
    Answer answer(Check c) {
        return new Answer(c.to(), c.from(), credentials.key(), null);
    }

    /** Receives a datagram the agent sent; returns the response to deliver back, or null. */
    byte[] receive(byte[] datagram, InetSocketAddress from, InetSocketAddress to, long now, List<InetSocketAddress> answeredFrom)
            throws Exception {
        Message m = StunCodec.decode(datagram, 0, datagram.length);
        if (m.getMessageType() != Message.BINDING_REQUEST) {
            return null; // a response to a check the peer sent: the test looks at it itself
        }
        assertTrue(StunCodec.hasValidFingerprint(datagram, 0, datagram.length), "FINGERPRINT");
        assertEquals(Integrity.VALID, StunCodec.checkIntegrity(datagram, 0, datagram.length, credentials.key()),
                "a check's MESSAGE-INTEGRITY is keyed with the peer's password");
        assertEquals(credentials.ufrag() + ":" + ourUfrag,
                new String(((UsernameAttribute) m.getAttribute(Attribute.USERNAME)).getUsername(), StandardCharsets.UTF_8));
        IceControllingAttribute controlling = (IceControllingAttribute) m.getAttribute(Attribute.ICE_CONTROLLING);
        assertTrue(controlling != null && m.getAttribute(Attribute.ICE_CONTROLLED) == null, "ICE-CONTROLLING");
        PriorityAttribute priority = (PriorityAttribute) m.getAttribute(Attribute.PRIORITY);
        Check c = new Check(now, from, to, m.getTransactionID(), m.containsAttribute(Attribute.USE_CANDIDATE),
                priority.getPriority(), controlling.getTieBreaker());
        checks.add(c);
        Answer a = script.answer(c, checks.size() - 1);
        if (a == null) {
            return null;
        }
        answeredFrom.add(a.from());
        return response((Request) m, a);
    }

    static byte[] response(Request request, Answer a) throws Exception {
        Response r;
        if (a.errorCode() != null) {
            r = MessageFactory.createBindingErrorResponse((char) (int) a.errorCode(), null);
        } else {
            r = MessageFactory.createBindingResponse(request,
                    new org.ice4j.TransportAddress(a.mapped().getAddress(), a.mapped().getPort(), org.ice4j.Transport.UDP));
        }
        r.setTransactionID(request.getTransactionID());
        r.putAttribute(AttributeFactory.createSoftwareAttribute("fake lite".getBytes(StandardCharsets.US_ASCII)));
        return StunCodec.encode(r, a.key());
    }

    /** A check from a full peer to us: USERNAME ourUfrag:peerUfrag, keyed with our password. */
    static byte[] checkToUs(String ourUfrag, String peerUfrag, byte[] ourKey, long priority, boolean controlling,
                            byte[] transactionId) throws Exception {
        Request r = MessageFactory.createBindingRequest();
        r.setTransactionID(transactionId);
        r.putAttribute(AttributeFactory.createUsernameAttribute(ourUfrag + ":" + peerUfrag));
        r.putAttribute(AttributeFactory.createPriorityAttribute(priority));
        r.putAttribute(controlling ? AttributeFactory.createIceControllingAttribute(1L)
                : AttributeFactory.createIceControlledAttribute(1L));
        return StunCodec.encode(r, ourKey);
    }

    List<Check> checks(Predicate<Check> p) {
        return checks.stream().filter(p).toList();
    }
}
