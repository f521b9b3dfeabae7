package org.wabridge.media.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * jitsi-srtp (OpenSSL through JNI), an SRTP implementation that shares no code with {@link SrtpEndpoint}: the far
 * side the tests check ours against, and the baseline of {@code SrtpCryptoBench}. One SSRC each way.
 */
public final class JitsiSrtp {

    static {
        Aes.setFactoryClassName("org.jitsi.srtp.crypto.Aes$OpenSSLCipherFactory"); // as the relay ran it until run 17
    }

    private final SrtpCryptoContext outRtp;
    private final SrtcpCryptoContext outRtcp;
    private final SrtpCryptoContext inRtp;
    private final SrtcpCryptoContext inRtcp;

    /** Protects with {@code ours} as stream {@code ssrc}, unprotects stream {@code ssrc} with {@code theirs}. */
    public JitsiSrtp(CryptoAttribute ours, CryptoAttribute theirs, long ssrc) throws GeneralSecurityException {
        SrtpContextFactory out = new SrtpContextFactory(true, ours.masterKey(), ours.masterSalt(),
                policy(ours.suite().srtpTagLength()), policy(SrtpSuite.SRTCP_TAG_LENGTH), new LoggerImpl("out"));
        SrtpContextFactory in = new SrtpContextFactory(false, theirs.masterKey(), theirs.masterSalt(),
                policy(theirs.suite().srtpTagLength()), policy(SrtpSuite.SRTCP_TAG_LENGTH), new LoggerImpl("in"));
        outRtp = out.deriveContext((int) ssrc, 0);
        outRtcp = out.deriveControlContext((int) ssrc);
        inRtp = in.deriveContext((int) ssrc, 0);
        inRtcp = in.deriveControlContext((int) ssrc);
    }

    private static SrtpPolicy policy(int tagLength) {
        return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, tagLength, 14);
    }

    public byte[] protectRtp(byte[] rtp, int len) throws GeneralSecurityException {
        Buffer b = new Buffer(rtp, len);
        require(outRtp.transformPacket(b));
        return b.bytes();
    }

    public byte[] protectRtcp(byte[] rtcp, int len) throws GeneralSecurityException {
        Buffer b = new Buffer(rtcp, len);
        require(outRtcp.transformPacket(b));
        return b.bytes();
    }

    /** The RTP packet, or null when jitsi-srtp refuses the SRTP packet. */
    public byte[] unprotectRtp(byte[] srtp, int len) throws GeneralSecurityException {
        Buffer b = new Buffer(srtp, len);
        return inRtp.reverseTransformPacket(b, false) == SrtpErrorStatus.OK ? b.bytes() : null;
    }

    /** The RTCP packet, or null when jitsi-srtp refuses the SRTCP packet. */
    public byte[] unprotectRtcp(byte[] srtcp, int len) throws GeneralSecurityException {
        Buffer b = new Buffer(srtcp, len);
        return inRtcp.reverseTransformPacket(b) == SrtpErrorStatus.OK ? b.bytes() : null;
    }

    private static void require(SrtpErrorStatus status) throws GeneralSecurityException {
        if (status != SrtpErrorStatus.OK) {
            throw new GeneralSecurityException("jitsi-srtp: " + status);
        }
    }

    /** jitsi-srtp's view of a packet: a copy with room for the trailer. */
    private static final class Buffer implements ByteArrayBuffer {
        private byte[] buffer;
        private int length;

        Buffer(byte[] packet, int len) {
            buffer = Arrays.copyOf(packet, len + PacketBuffer.TRAILER_ROOM);
            length = len;
        }

        byte[] bytes() {
            return Arrays.copyOf(buffer, length);
        }

        @Override public byte[] getBuffer() {
            return buffer;
        }

        @Override public int getOffset() {
            return 0;
        }

        @Override public int getLength() {
            return length;
        }

        @Override public void setLength(int len) {
            length = len;
        }

        @Override public void setOffset(int off) {
            if (off != 0) {
                throw new UnsupportedOperationException("offset " + off);
            }
        }

        @Override public boolean isInvalid() {
            return false;
        }

        @Override public void readRegionToBuff(int off, int len, byte[] out) {
            System.arraycopy(buffer, off, out, 0, len);
        }

        @Override public void grow(int howMuch) {
            if (length + howMuch > buffer.length) {
                buffer = Arrays.copyOf(buffer, length + howMuch);
            }
        }

        @Override public void append(byte[] data, int len) {
            grow(len);
            System.arraycopy(data, 0, buffer, length, len);
            length += len;
        }

        @Override public void shrink(int len) {
            length = Math.max(0, length - len);
        }
    }
}
