package org.wabridge.media.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;

/**
 * STUN (RFC 5389) for ICE checks: ice4j's message and attribute classes for everything but the two
 * content-dependent attributes, and MESSAGE-INTEGRITY (HMAC-SHA1, short-term credentials) and FINGERPRINT
 * (CRC-32 XOR 0x5354554e) computed here over the bytes.
 *
 * <p>Why the split: ice4j's {@code Message.decode} works on its own (it checks FINGERPRINT, un-XORs addresses) but
 * never verifies MESSAGE-INTEGRITY, and {@code Message.encode} signs only through a {@code StunStack}'s credentials
 * manager, which comes with a network access manager and its threads. So messages are encoded by ice4j without
 * MESSAGE-INTEGRITY and FINGERPRINT ({@code encode(null)} needs no stack then), and this class appends both and
 * verifies integrity on the received bytes. ice4j pads attributes with zero bytes (RFC 5389 allows any padding).
 * {@code Message.encode} reads ice4j's {@code AgentConfig} for a default SOFTWARE value (configuration only; callers
 * that set their own SOFTWARE attribute get theirs); {@link Ice4jOffline} has run before that.
 *
 * <p>Every method is static and thread-safe; nothing here opens a socket.
 */
public final class StunCodec {

    static {
        Ice4jOffline.ensure();
    }

    public static final int HEADER_LENGTH = 20;
    static final int MESSAGE_INTEGRITY = 0x0008;
    static final int FINGERPRINT = 0x8028;
    private static final int FINGERPRINT_XOR = 0x5354554e;
    private static final int MAGIC_COOKIE = 0x2112A442;

    /** The result of checking MESSAGE-INTEGRITY. */
    public enum Integrity { VALID, INVALID, ABSENT }

    /** A datagram that is not a well-formed STUN message; the message says why. */
    public static final class MalformedStunException extends Exception {
        MalformedStunException(String message) {
            super(message);
        }

        MalformedStunException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private StunCodec() {
    }

    /**
     * RFC 7983 demultiplexing on a socket that also carries DTLS and (S)RTP: a first byte of 0-3, room for the
     * header and the magic cookie. Cheap; {@link #decode} does the full checks.
     */
    public static boolean isStun(byte[] data, int offset, int length) {
        return length >= HEADER_LENGTH && (data[offset] & 0xFF) < 4 && readInt(data, offset + 4) == MAGIC_COOKIE;
    }

    /**
     * Decodes a STUN message (RFC 5389 section 7.3 checks: top bits zero, magic cookie, length a multiple of 4 and
     * exactly the datagram, a valid FINGERPRINT when present). MESSAGE-INTEGRITY is not checked here: see
     * {@link #checkIntegrity}.
     */
    public static Message decode(byte[] data, int offset, int length) throws MalformedStunException {
        if (!isStun(data, offset, length)) {
            throw new MalformedStunException("not a STUN message");
        }
        int bodyLength = readShort(data, offset + 2);
        if (bodyLength % 4 != 0 || HEADER_LENGTH + bodyLength != length) {
            throw new MalformedStunException("STUN length field " + bodyLength + " does not match the datagram ("
                    + length + " bytes)");
        }
        byte[] exact = Arrays.copyOfRange(data, offset, offset + length);
        // attribute lengths are checked against the body before ice4j reads them
        for (int p = HEADER_LENGTH; p < length; ) {
            if (p + 4 > length) {
                throw new MalformedStunException("truncated STUN attribute header");
            }
            int attrLength = readShort(exact, p + 2);
            int padded = (attrLength + 3) & ~3;
            if (p + 4 + padded > length) {
                throw new MalformedStunException("STUN attribute 0x" + Integer.toHexString(readShort(exact, p))
                        + " runs past the message");
            }
            p += 4 + padded;
        }
        try {
            return Message.decode(exact, 0, length);
        } catch (StunException e) {
            throw new MalformedStunException("invalid STUN message: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new MalformedStunException("invalid STUN message: " + e, e);
        }
    }

    /**
     * Checks MESSAGE-INTEGRITY (RFC 5389 section 15.4) of a received message: HMAC-SHA1 with {@code key} over the
     * message up to the attribute, with the length field counting up to and including it.
     */
    public static Integrity checkIntegrity(byte[] data, int offset, int length, byte[] key) {
        for (int p = HEADER_LENGTH; p + 4 <= length; ) {
            int type = readShort(data, offset + p);
            int attrLength = readShort(data, offset + p + 2);
            if (type == MESSAGE_INTEGRITY) {
                if (attrLength != 20 || p + 24 > length) {
                    return Integrity.INVALID;
                }
                byte[] covered = Arrays.copyOfRange(data, offset, offset + p);
                writeShort(covered, 2, p + 24 - HEADER_LENGTH);
                byte[] expected = hmacSha1(key, covered, p);
                byte[] actual = Arrays.copyOfRange(data, offset + p + 4, offset + p + 24);
                return MessageDigest.isEqual(expected, actual) ? Integrity.VALID : Integrity.INVALID;
            }
            p += 4 + ((attrLength + 3) & ~3);
        }
        return Integrity.ABSENT;
    }

    /** True when the message ends with a FINGERPRINT attribute whose CRC matches (RFC 5389 section 15.5). */
    public static boolean hasValidFingerprint(byte[] data, int offset, int length) {
        int p = length - 8;
        if (p < HEADER_LENGTH || readShort(data, offset + p) != FINGERPRINT || readShort(data, offset + p + 2) != 4) {
            return false;
        }
        byte[] covered = Arrays.copyOfRange(data, offset, offset + p);
        writeShort(covered, 2, length - HEADER_LENGTH);
        return crc(covered, p) == readInt(data, offset + p + 4);
    }

    /**
     * Encodes a message with ice4j, then appends MESSAGE-INTEGRITY with {@code integrityKey} (none when null) and
     * FINGERPRINT. The message must not carry either attribute itself.
     */
    public static byte[] encode(Message message, byte[] integrityKey) {
        if (message.containsAttribute(Attribute.MESSAGE_INTEGRITY) || message.containsAttribute(Attribute.FINGERPRINT)) {
            throw new IllegalArgumentException("MESSAGE-INTEGRITY and FINGERPRINT are added by StunCodec.encode");
        }
        byte[] body = message.encode(null);
        // ice4j adds FINGERPRINT on its own when org.ice4j.ALWAYS_SIGN is set: never twice
        for (int p = HEADER_LENGTH; p + 4 <= body.length; p += 4 + ((readShort(body, p + 2) + 3) & ~3)) {
            if (readShort(body, p) == FINGERPRINT || readShort(body, p) == MESSAGE_INTEGRITY) {
                body = Arrays.copyOf(body, p);
                writeShort(body, 2, p - HEADER_LENGTH);
                break;
            }
        }
        return withIntegrityAndFingerprint(body, integrityKey);
    }

    /**
     * Appends MESSAGE-INTEGRITY (when {@code key} is not null) and FINGERPRINT to an encoded message that has
     * neither, fixing the length field for each as RFC 5389 requires.
     */
    public static byte[] withIntegrityAndFingerprint(byte[] message, byte[] key) {
        int length = message.length;
        if (length < HEADER_LENGTH || length % 4 != 0) {
            throw new IllegalArgumentException("not an encoded STUN message: " + length + " bytes");
        }
        byte[] out = Arrays.copyOf(message, length + (key != null ? 24 : 0) + 8);
        int p = length;
        if (key != null) {
            writeShort(out, 2, p + 24 - HEADER_LENGTH);
            byte[] mac = hmacSha1(key, out, p);
            writeShort(out, p, MESSAGE_INTEGRITY);
            writeShort(out, p + 2, 20);
            System.arraycopy(mac, 0, out, p + 4, 20);
            p += 24;
        }
        writeShort(out, 2, p + 8 - HEADER_LENGTH);
        int crc = crc(out, p);
        writeShort(out, p, FINGERPRINT);
        writeShort(out, p + 2, 4);
        writeInt(out, p + 4, crc);
        return out;
    }

    /**
     * Loads what the first encode would: ice4j reads its configuration (typesafe config) on the first
     * {@code Message.encode}, which took about 600 ms here. Call once at start-up so no call's first check waits.
     */
    public static void warmUp() {
        org.ice4j.message.Request r = org.ice4j.message.MessageFactory.createBindingRequest();
        try {
            r.setTransactionID(new byte[12]);
        } catch (StunException e) {
            throw new IllegalStateException(e);
        }
        r.putAttribute(AttributeFactory.createPriorityAttribute(1));
        byte[] b = encode(r, new byte[] {1});
        checkIntegrity(b, 0, b.length, new byte[] {1});
    }

    /** The short-term credential key: the password's bytes (ICE passwords are ASCII ice-chars, SASLprep is a no-op). */
    public static byte[] shortTermKey(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    /** XOR-MAPPED-ADDRESS for a response to {@code transactionId}. */
    public static Attribute xorMappedAddress(InetSocketAddress address, byte[] transactionId) {
        return AttributeFactory.createXorMappedAddressAttribute(
                new TransportAddress(address.getAddress(), address.getPort(), Transport.UDP), transactionId);
    }

    /** The XOR-MAPPED-ADDRESS of a decoded message as a plain socket address (never resolved), or null. */
    public static InetSocketAddress xorMappedAddress(Message message) {
        Attribute a = message.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
        if (!(a instanceof XorMappedAddressAttribute x)) {
            return null;
        }
        TransportAddress t = x.getAddress(message.getTransactionID());
        return new InetSocketAddress(t.getAddress(), t.getPort());
    }

    private static byte[] hmacSha1(byte[] key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA1"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    private static int crc(byte[] data, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    static int readShort(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    static int readInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    private static void writeShort(byte[] b, int p, int v) {
        b[p] = (byte) (v >> 8);
        b[p + 1] = (byte) v;
    }

    private static void writeInt(byte[] b, int p, int v) {
        writeShort(b, p, v >>> 16);
        writeShort(b, p + 2, v);
    }
}
