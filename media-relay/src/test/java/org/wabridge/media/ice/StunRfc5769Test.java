package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.IceControlledAttribute;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.SoftwareAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.junit.jupiter.api.Test;
import org.wabridge.media.ice.StunCodec.Integrity;
import org.wabridge.media.ice.StunCodec.MalformedStunException;

/** RFC 5769 section 2: the STUN test vectors with short-term credentials, through {@link StunCodec}. */
class StunRfc5769Test {

    static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRANSACTION_ID = hex("b7e7a701bc34d686fa87dfae");

    /** 2.1 Sample Request. */
    static final byte[] REQUEST = hex("000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74"
            + "002400046e0001ff"
            + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020"
            + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf");
    /** 2.2 Sample IPv4 Response. */
    static final byte[] RESPONSE_V4 = hex("0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220"
            + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
            + "80280004c07d4c96");
    /** 2.3 Sample IPv6 Response. */
    static final byte[] RESPONSE_V6 = hex("010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220"
            + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
            + "80280004c8fb0b4c");

    private static final InetSocketAddress MAPPED_V4 = new InetSocketAddress("192.0.2.1", 32853);
    private static final InetSocketAddress MAPPED_V6 =
            new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853);

    @Test
    void sampleRequestDecodesAndVerifies() throws Exception {
        Message m = StunCodec.decode(REQUEST, 0, REQUEST.length);
        assertEquals(Message.BINDING_REQUEST, m.getMessageType());
        assertArrayEquals(TRANSACTION_ID, m.getTransactionID());
        assertEquals("STUN test client", software(m));
        assertEquals("evtj:h6vY", new String(((UsernameAttribute) m.getAttribute(Attribute.USERNAME)).getUsername(),
                StandardCharsets.UTF_8));
        assertEquals(0x6e0001ffL, ((PriorityAttribute) m.getAttribute(Attribute.PRIORITY)).getPriority());
        assertEquals(0x932ff9b151263b36L,
                ((IceControlledAttribute) m.getAttribute(Attribute.ICE_CONTROLLED)).getTieBreaker());
        assertEquals(Integrity.VALID, StunCodec.checkIntegrity(REQUEST, 0, REQUEST.length, PASSWORD));
        assertTrue(StunCodec.hasValidFingerprint(REQUEST, 0, REQUEST.length));
    }

    @Test
    void sampleResponsesDecodeToTheirMappedAddresses() throws Exception {
        for (Object[] v : new Object[][] {{RESPONSE_V4, MAPPED_V4}, {RESPONSE_V6, MAPPED_V6}}) {
            byte[] bytes = (byte[]) v[0];
            Message m = StunCodec.decode(bytes, 0, bytes.length);
            assertEquals(Message.BINDING_SUCCESS_RESPONSE, m.getMessageType());
            assertArrayEquals(TRANSACTION_ID, m.getTransactionID());
            assertEquals("test vector", software(m));
            assertEquals(v[1], StunCodec.xorMappedAddress(m));
            assertEquals(Integrity.VALID, StunCodec.checkIntegrity(bytes, 0, bytes.length, PASSWORD));
            assertTrue(StunCodec.hasValidFingerprint(bytes, 0, bytes.length));
        }
    }

    @Test
    void integrityAndFingerprintAreAppendedExactlyAsTheVectors() {
        for (byte[] vector : new byte[][] {REQUEST, RESPONSE_V4, RESPONSE_V6}) {
            int miAt = vector.length - 24 - 8;
            byte[] body = Arrays.copyOf(vector, miAt);
            body[2] = (byte) ((miAt - 20) >> 8);
            body[3] = (byte) (miAt - 20);
            assertEquals(HexFormat.of().formatHex(vector),
                    HexFormat.of().formatHex(StunCodec.withIntegrityAndFingerprint(body, PASSWORD)));
        }
    }

    /**
     * The vectors built from their fields through ice4j's encoder: identical up to MESSAGE-INTEGRITY except the
     * padding bytes (the vectors pad with spaces, ice4j with zeros; RFC 5389 lets the sender choose), and
     * verifiable with the password.
     */
    @Test
    void vectorsBuiltFromTheirFieldsMatchAndVerify() throws Exception {
        Request request = MessageFactory.createBindingRequest();
        request.setTransactionID(TRANSACTION_ID);
        request.putAttribute(AttributeFactory.createSoftwareAttribute("STUN test client".getBytes(StandardCharsets.UTF_8)));
        request.putAttribute(AttributeFactory.createPriorityAttribute(0x6e0001ffL));
        request.putAttribute(AttributeFactory.createIceControlledAttribute(0x932ff9b151263b36L));
        request.putAttribute(AttributeFactory.createUsernameAttribute("evtj:h6vY"));
        assertEncodedLike(REQUEST, StunCodec.encode(request, PASSWORD), 3);

        for (Object[] v : new Object[][] {{RESPONSE_V4, MAPPED_V4}, {RESPONSE_V6, MAPPED_V6}}) {
            Response response = MessageFactory.createBindingResponse(request,
                    new org.ice4j.TransportAddress(((InetSocketAddress) v[1]).getAddress(), 32853, org.ice4j.Transport.UDP));
            response.setTransactionID(TRANSACTION_ID);
            response.removeAttribute(Attribute.XOR_MAPPED_ADDRESS);
            response.putAttribute(AttributeFactory.createSoftwareAttribute("test vector".getBytes(StandardCharsets.UTF_8)));
            response.putAttribute(StunCodec.xorMappedAddress((InetSocketAddress) v[1], TRANSACTION_ID));
            assertEncodedLike((byte[]) v[0], StunCodec.encode(response, PASSWORD), 1);
        }
    }

    private static void assertEncodedLike(byte[] vector, byte[] encoded, int paddingBytes) throws Exception {
        assertEquals(vector.length, encoded.length);
        int miAt = vector.length - 32;
        byte[] expected = Arrays.copyOf(vector, miAt);
        // the vectors' only padding: spaces after the username (request) or the software (responses)
        int replaced = 0;
        for (int i = 20; i < miAt; ) {
            int len = StunCodec.readShort(expected, i + 2);
            for (int p = i + 4 + len; p < i + 4 + ((len + 3) & ~3); p++) {
                assertEquals(0x20, expected[p]);
                expected[p] = 0;
                replaced++;
            }
            i += 4 + ((len + 3) & ~3);
        }
        assertEquals(paddingBytes, replaced);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(Arrays.copyOf(encoded, miAt)));
        assertEquals(Integrity.VALID, StunCodec.checkIntegrity(encoded, 0, encoded.length, PASSWORD));
        assertTrue(StunCodec.hasValidFingerprint(encoded, 0, encoded.length));
        StunCodec.decode(encoded, 0, encoded.length);
    }

    @Test
    void anyChangedByteOrAnotherPasswordIsCaught() {
        for (byte[] vector : new byte[][] {REQUEST, RESPONSE_V4, RESPONSE_V6}) {
            assertEquals(Integrity.INVALID, StunCodec.checkIntegrity(vector, 0, vector.length,
                    "VOkJxbRl1RmTxUk/WvJxBT".getBytes(StandardCharsets.US_ASCII)));
            for (int i = 20; i < vector.length - 8; i++) { // every byte MESSAGE-INTEGRITY covers or is, past the header
                byte[] bad = vector.clone();
                bad[i] ^= 0x01;
                Integrity integrity = StunCodec.checkIntegrity(bad, 0, bad.length, PASSWORD);
                assertFalse(StunCodec.hasValidFingerprint(bad, 0, bad.length), "byte " + i);
                assertThrows(MalformedStunException.class, () -> StunCodec.decode(bad, 0, bad.length), "byte " + i);
                if (i < vector.length - 32 || i >= vector.length - 28) { // not the MI header (type/length change)
                    assertTrue(integrity != Integrity.VALID, "byte " + i);
                }
            }
        }
    }

    @Test
    void malformedDatagramsAreRefused() {
        byte[] r = REQUEST;
        assertThrows(MalformedStunException.class, () -> StunCodec.decode(r, 0, r.length - 4)); // length mismatch
        byte[] cookie = r.clone();
        cookie[5] ^= 1;
        assertFalse(StunCodec.isStun(cookie, 0, cookie.length));
        byte[] overrun = r.clone();
        overrun[20 + 3] = (byte) 0xF0; // SOFTWARE claims 240 bytes
        assertThrows(MalformedStunException.class, () -> StunCodec.decode(overrun, 0, overrun.length));
        byte[] odd = Arrays.copyOf(r, r.length + 2);
        odd[3] += 2;
        assertThrows(MalformedStunException.class, () -> StunCodec.decode(odd, 0, odd.length));
        // RFC 7983 neighbours on the same socket: RTP (first byte 128-191) and DTLS (20-63) are not STUN
        byte[] rtp = r.clone();
        rtp[0] = (byte) 0x80;
        assertFalse(StunCodec.isStun(rtp, 0, rtp.length));
        byte[] dtls = r.clone();
        dtls[0] = 22;
        assertFalse(StunCodec.isStun(dtls, 0, dtls.length));
        assertFalse(StunCodec.isStun(r, 0, 19));
    }

    @Test
    void decodingAtAnOffsetInALargerBuffer() throws Exception {
        byte[] buf = new byte[7 + RESPONSE_V6.length + 50];
        System.arraycopy(RESPONSE_V6, 0, buf, 7, RESPONSE_V6.length);
        Message m = StunCodec.decode(buf, 7, RESPONSE_V6.length);
        assertEquals(MAPPED_V6, StunCodec.xorMappedAddress(m));
        assertEquals(Integrity.VALID, StunCodec.checkIntegrity(buf, 7, RESPONSE_V6.length, PASSWORD));
        assertTrue(StunCodec.hasValidFingerprint(buf, 7, RESPONSE_V6.length));
    }

    private static String software(Message m) {
        return new String(((SoftwareAttribute) m.getAttribute(Attribute.SOFTWARE)).getSoftware(), StandardCharsets.UTF_8);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }
}
