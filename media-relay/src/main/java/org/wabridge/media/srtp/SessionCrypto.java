package org.wabridge.media.srtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.wabridge.media.rtp.Rtp;

/**
 * The session keys of one direction of RTP or of RTCP (RFC 3711 4.3, key derivation rate 0, so one set for every
 * SSRC of that direction) and the JDK's AES and HMAC-SHA1 keyed with them once. Per packet it only fills counter
 * blocks, encrypts them in one call and hashes: the JDK runs AES and SHA-1 on the CPU's instructions, where a
 * cipher set up again for every packet's IV (jitsi-srtp's way, through JNI to OpenSSL) cost about twice as much
 * (BENCHMARKS.md, run 17). Not thread-safe: one per endpoint direction, used by one thread at a time.
 */
final class SessionCrypto {

    private static final int CIPHER_KEY_LENGTH = 16;
    private static final int AUTH_KEY_LENGTH = 20;
    private static final int SALT_LENGTH = 14;
    /** The RFC 3711 4.3.2 labels of SRTP's keys; SRTCP's are these plus 3. */
    private static final int LABEL_CIPHER = 0;
    private static final int LABEL_AUTH = 1;
    private static final int LABEL_SALT = 2;
    private static final int RTCP_LABELS = 3;
    /** Eight bytes of an array at a time: counter blocks are written, and keystream XORed, a word at a time. */
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final Cipher aes;
    private final Mac hmac;
    /** The session salt's 112 bits as the first 14 bytes of a 16-byte block: bytes 0-7, and 8-13 shifted left 16. */
    private final long saltHigh;
    private final long saltLow;
    private final int tagLength;
    private final byte[] fullTag = new byte[20];
    private final byte[] roc = new byte[4];
    /** Counter blocks and their keystream for one packet: as long as the longest packet so far, in 64-byte steps. */
    private byte[] counters = new byte[0];
    private byte[] keystream = new byte[0];

    private SessionCrypto(byte[] masterKey, byte[] masterSalt, int labelBase, int tagLength)
            throws GeneralSecurityException {
        aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES")); // first the key derivation's PRF
        byte[] cipherKey = derive(aes, masterSalt, labelBase + LABEL_CIPHER, CIPHER_KEY_LENGTH);
        byte[] authKey = derive(aes, masterSalt, labelBase + LABEL_AUTH, AUTH_KEY_LENGTH);
        byte[] salt = Arrays.copyOf(derive(aes, masterSalt, labelBase + LABEL_SALT, SALT_LENGTH), 16);
        saltHigh = (long) BIG_ENDIAN_LONG.get(salt, 0);
        saltLow = (long) BIG_ENDIAN_LONG.get(salt, 8);
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cipherKey, "AES")); // then the packets' keystream
        hmac = Mac.getInstance("HmacSHA1");
        hmac.init(new SecretKeySpec(authKey, "HmacSHA1"));
        Arrays.fill(cipherKey, (byte) 0);
        Arrays.fill(authKey, (byte) 0);
        this.tagLength = tagLength;
    }

    /** SRTP's keys from a master key and salt, with an authentication tag of {@code tagLength} bytes. */
    static SessionCrypto rtp(byte[] masterKey, byte[] masterSalt, int tagLength) throws GeneralSecurityException {
        return new SessionCrypto(masterKey, masterSalt, 0, tagLength);
    }

    /** SRTCP's keys from a master key and salt; SRTCP's tag is always 80 bits (RFC 4568 6.2.1). */
    static SessionCrypto rtcp(byte[] masterKey, byte[] masterSalt) throws GeneralSecurityException {
        return new SessionCrypto(masterKey, masterSalt, RTCP_LABELS, SrtpSuite.SRTCP_TAG_LENGTH);
    }

    int tagLength() {
        return tagLength;
    }

    /**
     * RFC 3711 4.3.1's PRF at index 0: AES-CM under the master key over {@code (label << 48) XOR salt}, as many
     * blocks as {@code length} needs.
     */
    static byte[] derive(Cipher kdf, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] blocks = new byte[(length + 15) / 16 * 16];
        for (int b = 0; b < blocks.length / 16; b++) {
            System.arraycopy(masterSalt, 0, blocks, b * 16, SALT_LENGTH);
            blocks[b * 16 + 7] ^= (byte) label;
            blocks[b * 16 + 15] = (byte) b;
        }
        byte[] stream = kdf.doFinal(blocks);
        byte[] key = Arrays.copyOf(stream, length);
        Arrays.fill(stream, (byte) 0);
        return key;
    }

    /**
     * AES-CM (RFC 3711 4.1.1): XORs {@code b[from, to)} with the keystream of the packet whose SSRC and index (SRTP's
     * 48-bit or SRTCP's 31-bit) are given. The same call encrypts and decrypts.
     */
    void crypt(long ssrc, long index, byte[] b, int from, int to) throws GeneralSecurityException {
        int length = to - from;
        int blocks = (length + 15) >>> 4;
        if (counters.length < blocks * 16) {
            counters = new byte[(blocks + 3) / 4 * 64];
            keystream = new byte[counters.length];
        }
        // IV = (salt << 16) XOR (SSRC << 64) XOR (index << 16); block i is IV + i, in its last 16 bits (zero in IV)
        long high = saltHigh ^ (ssrc & 0xFFFF_FFFFL);
        long low = saltLow ^ (index << 16);
        for (int i = 0; i < blocks; i++) {
            BIG_ENDIAN_LONG.set(counters, i << 4, high);
            BIG_ENDIAN_LONG.set(counters, (i << 4) + 8, low | i);
        }
        try {
            aes.update(counters, 0, blocks << 4, keystream, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // keystream is as long as counters
        }
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            LONG.set(b, from + i, (long) LONG.get(b, from + i) ^ (long) LONG.get(keystream, i));
        }
        for (; i < length; i++) {
            b[from + i] ^= keystream[i];
        }
    }

    /**
     * Computes the tag of {@code b[off, off + len)}, followed by the rollover counter for SRTP (RFC 3711 4.2); for
     * SRTCP pass {@code rolloverCounter} -1 (its index is inside the authenticated bytes). {@link #writeTag} and
     * {@link #tagMatches} use the result.
     */
    void authenticate(byte[] b, int off, int len, long rolloverCounter) throws GeneralSecurityException {
        hmac.update(b, off, len);
        if (rolloverCounter >= 0) {
            Rtp.putU32(roc, 0, rolloverCounter);
            hmac.update(roc, 0, 4);
        }
        try {
            hmac.doFinal(fullTag, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e); // fullTag holds a whole SHA-1
        }
    }

    /** Writes the last computed tag, truncated to this suite's length, at {@code b[at]}. */
    void writeTag(byte[] b, int at) {
        System.arraycopy(fullTag, 0, b, at, tagLength);
    }

    /** Whether {@code b[at, at + tagLength)} is the last computed tag; in constant time. */
    boolean tagMatches(byte[] b, int at) {
        int diff = 0;
        for (int i = 0; i < tagLength; i++) {
            diff |= fullTag[i] ^ b[at + i];
        }
        return diff == 0;
    }
}
