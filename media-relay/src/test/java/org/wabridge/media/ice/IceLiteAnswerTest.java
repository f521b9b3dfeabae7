package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.junit.jupiter.api.Test;

/** The ICE-lite answer of the Meta stand-ins, on RFC 5769's sample request (2.1). */
class IceLiteAnswerTest {

    @Test
    void anAuthenticatedBindingRequestGetsASuccessWithTheSendersAddressUnderTheSameKey() throws Exception {
        InetSocketAddress from = new InetSocketAddress("192.0.2.1", 32853);
        byte[] answer = IceLiteAnswer.to(StunRfc5769Test.REQUEST, 0, StunRfc5769Test.REQUEST.length, from,
                StunRfc5769Test.PASSWORD).orElseThrow();
        assertEquals(StunCodec.Integrity.VALID,
                StunCodec.checkIntegrity(answer, 0, answer.length, StunRfc5769Test.PASSWORD));
        Message m = StunCodec.decode(answer, 0, answer.length);
        assertEquals(Message.BINDING_SUCCESS_RESPONSE, m.getMessageType());
        assertArrayEquals(StunRfc5769Test.TRANSACTION_ID, m.getTransactionID());
        XorMappedAddressAttribute mapped = (XorMappedAddressAttribute) m.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        assertEquals(from.getPort(), mapped.getAddress(m.getTransactionID()).getPort());
        assertEquals(from.getAddress(), mapped.getAddress(m.getTransactionID()).getAddress());
    }

    @Test
    void aCheckUnderAnotherPasswordOrNotStunGetsNothing() throws Exception {
        InetSocketAddress from = new InetSocketAddress("192.0.2.1", 32853);
        byte[] other = "another-password-of-22".getBytes(StandardCharsets.US_ASCII);
        assertTrue(IceLiteAnswer.to(StunRfc5769Test.REQUEST, 0, StunRfc5769Test.REQUEST.length, from, other).isEmpty());
        byte[] rtp = {(byte) 0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
        assertTrue(IceLiteAnswer.to(rtp, 0, rtp.length, from, StunRfc5769Test.PASSWORD).isEmpty());
    }
}
