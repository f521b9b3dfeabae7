package org.wabridge.b2bua.it;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The receiving side of SRTP/SRTCP with AES_CM_128_HMAC_SHA1_80, written from RFC 3711 with javax.crypto only,
 * so that tests judge the bridge's SRTP (jitsi-srtp) with code that shares nothing with it. Checked against RFC
 * 3711 Appendix B.2/B.3 and libsrtp's published packet vectors ({@code Rfc3711SrtpTest}).
 *
 * <p>Covers what the bridge sends: key derivation rate 0, one master key, no MKI, ROC estimation (RFC 3711
 * section 3.3.1 / Appendix A), replay refusal by exact index. Not thread-safe.
 */
final class Rfc3711Srtp {

    static final int TAG_LENGTH = 10;
    static final int LABEL_RTP_ENCRYPTION = 0x00;
    static final int LABEL_RTP_AUTH = 0x01;
    static final int LABEL_RTP_SALT = 0x02;
    static final int LABEL_RTCP_ENCRYPTION = 0x03;
    static final int LABEL_RTCP_AUTH = 0x04;
    static final int LABEL_RTCP_SALT = 0x05;

    private final SecretKeySpec rtpKey;
    private final byte[] rtpSalt;
    private final SecretKeySpec rtpAuth;
    private final SecretKeySpec rtcpKey;
    private final byte[] rtcpSalt;
    private final SecretKeySpec rtcpAuth;
    /** Per SSRC: highest sequence number seen (s_l) and rollover counter, RFC 3711 section 3.3.1. */
    private final Map<Long, long[]> rtpState = new HashMap<>();
    private final Set<String> seenRtp = new HashSet<>();
    private final Set<String> seenRtcp = new HashSet<>();

    /** @param masterKeyAndSalt the 30 bytes of an SDES {@code inline:} key (16 key + 14 salt) */
    Rfc3711Srtp(byte[] masterKeyAndSalt) throws GeneralSecurityException {
        if (masterKeyAndSalt.length != 30) {
            throw new IllegalArgumentException("AES_CM_128 needs 30 bytes of key and salt, got " + masterKeyAndSalt.length);
        }
        byte[] key = Arrays.copyOfRange(masterKeyAndSalt, 0, 16);
        byte[] salt = Arrays.copyOfRange(masterKeyAndSalt, 16, 30);
        rtpKey = new SecretKeySpec(derive(key, salt, LABEL_RTP_ENCRYPTION, 16), "AES");
        rtpSalt = derive(key, salt, LABEL_RTP_SALT, 14);
        rtpAuth = new SecretKeySpec(derive(key, salt, LABEL_RTP_AUTH, 20), "HmacSHA1");
        rtcpKey = new SecretKeySpec(derive(key, salt, LABEL_RTCP_ENCRYPTION, 16), "AES");
        rtcpSalt = derive(key, salt, LABEL_RTCP_SALT, 14);
        rtcpAuth = new SecretKeySpec(derive(key, salt, LABEL_RTCP_AUTH, 20), "HmacSHA1");
    }

    /**
     * RFC 3711 section 4.3.1 with key_derivation_rate 0: {@code x = (label || r) XOR master_salt}, r = 0,
     * keystream of AES-CM keyed with the master key from IV {@code x * 2^16}.
     */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, 14);
        iv[7] ^= (byte) label; // key_id = label (8 bits) || r (48 bits), right-aligned against the 112-bit salt
        return aesCm(masterKey, iv, new byte[length]);
    }

    /** AES in counter mode (RFC 3711 section 4.1.1): the 16-byte IV is the first counter block. */
    static byte[] aesCm(byte[] key, byte[] iv, byte[] data) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return aes.doFinal(data);
    }

    /** IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), RFC 3711 section 4.1.1. */
    static byte[] iv(byte[] sessionSalt, long ssrc, long index) {
        byte[] iv = new byte[16];
        System.arraycopy(sessionSalt, 0, iv, 0, 14);
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= (byte) (ssrc >>> (24 - 8 * i));
        }
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        }
        return iv;
    }

    /** Authenticates and decrypts one SRTP packet; returns the RTP packet, or null (forged, replayed, malformed). */
    byte[] unprotectRtp(byte[] srtp) throws GeneralSecurityException {
        if (srtp.length < 12 + TAG_LENGTH || (srtp[0] & 0xC0) != 0x80) {
            return null;
        }
        int header = 12 + 4 * (srtp[0] & 0x0F);
        if ((srtp[0] & 0x10) != 0) {
            if (srtp.length < header + 4 + TAG_LENGTH) {
                return null;
            }
            header += 4 + 4 * (((srtp[header + 2] & 0xFF) << 8) | (srtp[header + 3] & 0xFF));
        }
        int authenticated = srtp.length - TAG_LENGTH;
        if (header > authenticated) {
            return null;
        }
        int seq = ((srtp[2] & 0xFF) << 8) | (srtp[3] & 0xFF);
        long ssrc = u32(srtp, 8);
        long[] state = rtpState.get(ssrc); // {s_l, ROC}
        long roc = state == null ? 0 : estimateRoc(state[0], state[1], seq);
        long index = (roc << 16) | seq;
        if (seenRtp.contains(ssrc + "/" + index)) {
            return null;
        }
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(rtpAuth);
        hmac.update(srtp, 0, authenticated);
        hmac.update(new byte[] {(byte) (roc >>> 24), (byte) (roc >>> 16), (byte) (roc >>> 8), (byte) roc});
        byte[] tag = Arrays.copyOf(hmac.doFinal(), TAG_LENGTH);
        if (!MessageDigest.isEqual(tag, Arrays.copyOfRange(srtp, authenticated, srtp.length))) {
            return null;
        }
        byte[] plain = Arrays.copyOf(srtp, authenticated);
        byte[] payload = aesCm(rtpKey.getEncoded(), iv(rtpSalt, ssrc, index),
                Arrays.copyOfRange(srtp, header, authenticated));
        System.arraycopy(payload, 0, plain, header, payload.length);
        seenRtp.add(ssrc + "/" + index);
        if (state == null) {
            rtpState.put(ssrc, new long[] {seq, roc});
        } else if (index > ((state[1] << 16) | state[0])) {
            state[0] = seq;
            state[1] = roc;
        }
        return plain;
    }

    /**
     * The sending side, for a test that plays Meta's media: encrypts and tags one RTP packet with a plain 12-byte
     * header (no CSRC, no extension) and rollover counter 0, as a sender does for its first 65536 packets.
     */
    byte[] protectRtp(byte[] rtp) throws GeneralSecurityException {
        if (rtp.length < 12 || rtp[0] != (byte) 0x80) {
            throw new IllegalArgumentException("a 12-byte RTP header without CSRC or extension is expected");
        }
        long index = ((rtp[2] & 0xFF) << 8) | (rtp[3] & 0xFF);
        byte[] srtp = Arrays.copyOf(rtp, rtp.length + TAG_LENGTH);
        byte[] payload = aesCm(rtpKey.getEncoded(), iv(rtpSalt, u32(rtp, 8), index),
                Arrays.copyOfRange(rtp, 12, rtp.length));
        System.arraycopy(payload, 0, srtp, 12, payload.length);
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(rtpAuth);
        hmac.update(srtp, 0, rtp.length);
        hmac.update(new byte[4]); // ROC 0
        System.arraycopy(hmac.doFinal(), 0, srtp, rtp.length, TAG_LENGTH);
        return srtp;
    }

    /** RFC 3711 Appendix A: the ROC guessed for {@code seq} from the highest sequence number s_l seen so far. */
    static long estimateRoc(long sl, long roc, int seq) {
        if (sl < 32768) {
            return seq - sl > 32768 ? roc - 1 : roc;
        }
        return sl - 32768 > seq ? roc + 1 : roc;
    }

    /**
     * Authenticates and decrypts one SRTCP packet (RFC 3711 section 3.4): header and sender SSRC in clear, the
     * rest encrypted when the E bit is set, then E||SRTCP index and the tag. Returns the RTCP packet or null.
     */
    byte[] unprotectRtcp(byte[] srtcp) throws GeneralSecurityException {
        if (srtcp.length < 8 + 4 + TAG_LENGTH || (srtcp[0] & 0xC0) != 0x80) {
            return null;
        }
        int authenticated = srtcp.length - TAG_LENGTH;
        int indexAt = authenticated - 4;
        long eAndIndex = u32(srtcp, indexAt);
        boolean encrypted = (eAndIndex & 0x8000_0000L) != 0;
        long index = eAndIndex & 0x7FFF_FFFFL;
        long ssrc = u32(srtcp, 4);
        if (seenRtcp.contains(ssrc + "/" + index)) {
            return null;
        }
        Mac hmac = Mac.getInstance("HmacSHA1");
        hmac.init(rtcpAuth);
        hmac.update(srtcp, 0, authenticated);
        byte[] tag = Arrays.copyOf(hmac.doFinal(), TAG_LENGTH);
        if (!MessageDigest.isEqual(tag, Arrays.copyOfRange(srtcp, authenticated, srtcp.length))) {
            return null;
        }
        byte[] plain = Arrays.copyOf(srtcp, indexAt);
        if (encrypted) {
            byte[] body = aesCm(rtcpKey.getEncoded(), iv(rtcpSalt, ssrc, index), Arrays.copyOfRange(srtcp, 8, indexAt));
            System.arraycopy(body, 0, plain, 8, body.length);
        }
        seenRtcp.add(ssrc + "/" + index);
        return plain;
    }

    /** RFC 5761 section 4: with rtcp-mux, payload types 64-95 (after masking the marker bit) are RTCP. */
    static boolean isRtcp(byte[] packet) {
        if (packet.length < 2) {
            return false;
        }
        int pt = packet[1] & 0x7F;
        return pt >= 64 && pt <= 95;
    }

    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
