package org.wabridge.media.srtp;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * SRTP and SRTCP of one Meta leg (RFC 3711, AES-CM with HMAC-SHA1): protects our one outgoing stream with our key
 * and unprotects Meta's streams with Meta's key, in place. The ciphers are the JDK's ({@link SessionCrypto}); this
 * class keeps what RFC 3711 keeps per stream: our rollover counter and SRTCP index, and a replay window for each
 * SSRC Meta sends. Not thread-safe: used from one session at a time.
 */
public final class SrtpEndpoint {

    /** Meta sends one SSRC; a few more are tolerated, then new SSRCs are refused (no unbounded state). */
    private static final int MAX_INBOUND_SSRCS = 4;
    private static final int RTCP_HEADER = 8;
    private static final int SRTCP_INDEX_LENGTH = 4;
    private static final long SRTCP_INDEX_LIMIT = 1L << 31;

    private final SessionCrypto outRtp;
    private final SessionCrypto outRtcp;
    private final SessionCrypto inRtp;
    private final SessionCrypto inRtcp;
    /** Our stream's highest SRTP index so far: its rollover counter and last sequence number; -1 before the first. */
    private long outHighest = -1;
    private long outRtcpIndex;
    private final InboundStreams inRtpStreams = new InboundStreams();
    private final InboundStreams inRtcpStreams = new InboundStreams();

    /** The result of an unprotect: the plain packet or why it was refused. */
    public enum Verdict { OK, AUTH_FAILURE, REPLAY, INVALID }

    /**
     * @param ours   our master key and suite, for what we send
     * @param theirs Meta's master key and suite, for what Meta sends
     */
    public SrtpEndpoint(CryptoAttribute ours, CryptoAttribute theirs) throws GeneralSecurityException {
        outRtp = SessionCrypto.rtp(ours.masterKey(), ours.masterSalt(), ours.suite().srtpTagLength());
        outRtcp = SessionCrypto.rtcp(ours.masterKey(), ours.masterSalt());
        inRtp = SessionCrypto.rtp(theirs.masterKey(), theirs.masterSalt(), theirs.suite().srtpTagLength());
        inRtcp = SessionCrypto.rtcp(theirs.masterKey(), theirs.masterSalt());
    }

    /** Encrypts and authenticates an RTP packet, in place when {@code rtp} has room; returns the SRTP packet. */
    public PacketBuffer protectRtp(byte[] rtp, int len) throws GeneralSecurityException {
        int header = len < Rtp.HEADER_LENGTH ? Integer.MAX_VALUE : Rtp.headerLength(rtp, len);
        if (header > len) {
            throw new GeneralSecurityException("SRTP protect: not an RTP packet (" + len
                    + " bytes, its header runs past its end)");
        }
        long index = ReplayWindow.estimateIndex(outHighest, Rtp.sequence(rtp));
        if (index < 0) {
            throw new GeneralSecurityException("SRTP protect: sequence number " + Rtp.sequence(rtp)
                    + " is from before the stream's first packet");
        }
        PacketBuffer buf = PacketBuffer.withTrailerRoom(rtp, len);
        byte[] b = buf.getBuffer();
        outRtp.crypt(Rtp.ssrc(b), index, b, header, len);
        outRtp.authenticate(b, 0, len, index >>> 16);
        outRtp.writeTag(b, len);
        buf.setLength(len + outRtp.tagLength());
        outHighest = Math.max(outHighest, index);
        return buf;
    }

    /** Encrypts and authenticates an RTCP packet; returns the SRTCP packet. */
    public PacketBuffer protectRtcp(byte[] rtcp, int len) throws GeneralSecurityException {
        if (len < RTCP_HEADER) {
            throw new GeneralSecurityException("SRTCP protect: " + len + " bytes is shorter than an RTCP header");
        }
        if (outRtcpIndex >= SRTCP_INDEX_LIMIT) {
            throw new GeneralSecurityException("SRTCP protect: 2^31 packets sent with one key, the call must re-key");
        }
        long index = outRtcpIndex++;
        PacketBuffer buf = PacketBuffer.withTrailerRoom(rtcp, len);
        byte[] b = buf.getBuffer();
        outRtcp.crypt(Rtp.u32(b, 4), index, b, RTCP_HEADER, len);
        Rtp.putU32(b, len, index | SRTCP_INDEX_LIMIT); // the E flag: encrypted
        outRtcp.authenticate(b, 0, len + SRTCP_INDEX_LENGTH, -1);
        outRtcp.writeTag(b, len + SRTCP_INDEX_LENGTH);
        buf.setLength(len + SRTCP_INDEX_LENGTH + outRtcp.tagLength());
        return buf;
    }

    /** Authenticates and decrypts SRTP in place; on OK {@code buf} holds the RTP packet. */
    public Verdict unprotectRtp(PacketBuffer buf) throws GeneralSecurityException {
        byte[] b = buf.getBuffer();
        int end = buf.getLength() - inRtp.tagLength(); // the RTP packet's length, the tag after it
        int header = end < Rtp.HEADER_LENGTH ? Integer.MAX_VALUE : Rtp.headerLength(b, end);
        if (header > end) {
            return Verdict.INVALID;
        }
        long ssrc = Rtp.ssrc(b);
        ReplayWindow window = inRtpStreams.window(ssrc);
        long index = ReplayWindow.estimateIndex(window == null ? -1 : window.highest(), Rtp.sequence(b));
        if (index < 0 || window != null && window.isReplay(index)) {
            return Verdict.REPLAY;
        }
        inRtp.authenticate(b, 0, end, index >>> 16);
        if (!inRtp.tagMatches(b, end)) {
            return Verdict.AUTH_FAILURE;
        }
        if (window == null) {
            window = inRtpStreams.add(ssrc); // only for a packet that authenticated: forged SSRCs take no slot
            if (window == null) {
                return Verdict.INVALID;
            }
        }
        inRtp.crypt(ssrc, index, b, header, end);
        window.accept(index);
        buf.setLength(end);
        return Verdict.OK;
    }

    /** Authenticates and decrypts SRTCP in place. */
    public Verdict unprotectRtcp(PacketBuffer buf) throws GeneralSecurityException {
        byte[] b = buf.getBuffer();
        int authenticated = buf.getLength() - inRtcp.tagLength();
        int end = authenticated - SRTCP_INDEX_LENGTH; // the RTCP packet's length
        if (end < RTCP_HEADER) {
            return Verdict.INVALID;
        }
        long word = Rtp.u32(b, end);
        long index = word & (SRTCP_INDEX_LIMIT - 1);
        long ssrc = Rtp.u32(b, 4);
        ReplayWindow window = inRtcpStreams.window(ssrc);
        if (window != null && window.isReplay(index)) {
            return Verdict.REPLAY;
        }
        inRtcp.authenticate(b, 0, authenticated, -1);
        if (!inRtcp.tagMatches(b, authenticated)) {
            return Verdict.AUTH_FAILURE;
        }
        if (window == null) {
            window = inRtcpStreams.add(ssrc);
            if (window == null) {
                return Verdict.INVALID;
            }
        }
        if (word >= SRTCP_INDEX_LIMIT) { // E flag: the sender encrypted it
            inRtcp.crypt(ssrc, index, b, RTCP_HEADER, end);
        }
        window.accept(index);
        buf.setLength(end);
        return Verdict.OK;
    }

    /**
     * The replay windows of the SSRCs Meta sends, at most {@link #MAX_INBOUND_SSRCS}. Meta sends one, so the last one
     * looked up is kept at hand: a packet of it costs no map lookup (and no boxed SSRC).
     */
    private static final class InboundStreams {
        private final Map<Long, ReplayWindow> windows = new HashMap<>();
        private long lastSsrc = -1; // no SSRC: they are 32-bit unsigned
        private ReplayWindow last;

        /** The SSRC's window, or null for an SSRC not accepted yet. */
        ReplayWindow window(long ssrc) {
            if (ssrc != lastSsrc) {
                ReplayWindow found = windows.get(ssrc);
                if (found == null) {
                    return null;
                }
                lastSsrc = ssrc;
                last = found;
            }
            return last;
        }

        /** A window for a new SSRC, or null when there are as many as allowed. */
        ReplayWindow add(long ssrc) {
            if (windows.size() >= MAX_INBOUND_SSRCS) {
                return null;
            }
            ReplayWindow window = new ReplayWindow();
            windows.put(ssrc, window);
            lastSsrc = ssrc;
            last = window;
            return window;
        }
    }
}
