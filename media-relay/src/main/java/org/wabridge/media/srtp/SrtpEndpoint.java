package org.wabridge.media.srtp;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * SRTP/SRTCP of one Meta leg with jitsi-srtp: protects our one outgoing stream with our key and
 * unprotects Meta's streams with Meta's key. Not thread-safe: used from one session at a time.
 */
public final class SrtpEndpoint implements AutoCloseable {

    /** Meta sends one SSRC; a few more are tolerated, then new SSRCs are refused (no unbounded state). */
    private static final int MAX_INBOUND_SSRCS = 4;

    static {
        // jitsi-srtp picks its AES-CTR provider by timing 1250-byte blocks with one cipher init; SRTP re-inits the
        // cipher with a new IV per packet (a key schedule each time in SunJCE, plus a copy of the input when it
        // encrypts in place). With 160-byte audio the OpenSSL provider is faster (protect + unprotect 3.8 vs 4.9 µs
        // here, BENCHMARKS.md). Only a preference: where it cannot be made, jitsi-srtp benchmarks the others.
        Aes.setFactoryClassName("org.jitsi.srtp.crypto.Aes$OpenSSLCipherFactory");
    }

    /**
     * The logger jitsi-srtp logs through for this endpoint alone. jitsi-utils records every child logger made from a
     * logger in a list of weak references that nothing prunes: with one logger for the process, each call left two
     * entries behind, a heap that grew by 2 references a call for as long as the bridge ran (BENCHMARKS.md, "Soak").
     */
    private final Logger jitsiLogger = new LoggerImpl(SrtpEndpoint.class.getName());
    private final SrtpContextFactory outbound;
    private final SrtpContextFactory inbound;
    private final SrtpCryptoContext outRtp;
    private final SrtcpCryptoContext outRtcp;
    private final Map<Long, SrtpCryptoContext> inRtp = new HashMap<>();
    private final Map<Long, SrtcpCryptoContext> inRtcp = new HashMap<>();

    /** The result of an unprotect: the plain packet or why it was refused. */
    public enum Verdict { OK, AUTH_FAILURE, REPLAY, INVALID }

    public SrtpEndpoint(CryptoAttribute ours, CryptoAttribute theirs, long ourSsrc) throws GeneralSecurityException {
        outbound = new SrtpContextFactory(true, ours.masterKey(), ours.masterSalt(),
                ours.suite().srtpPolicy(), ours.suite().srtcpPolicy(), jitsiLogger);
        inbound = new SrtpContextFactory(false, theirs.masterKey(), theirs.masterSalt(),
                theirs.suite().srtpPolicy(), theirs.suite().srtcpPolicy(), jitsiLogger);
        outRtp = outbound.deriveContext((int) ourSsrc, 0);
        outRtcp = outbound.deriveControlContext((int) ourSsrc);
    }

    /** Encrypts and authenticates an RTP packet, in place when {@code rtp} has room; returns the SRTP packet. */
    public PacketBuffer protectRtp(byte[] rtp, int len) throws GeneralSecurityException {
        PacketBuffer buf = PacketBuffer.withTrailerRoom(rtp, len);
        SrtpErrorStatus status = outRtp.transformPacket(buf);
        if (status != SrtpErrorStatus.OK) {
            throw new GeneralSecurityException("SRTP protect failed: " + status);
        }
        return buf;
    }

    /** Encrypts and authenticates an RTCP packet; returns the SRTCP packet. */
    public PacketBuffer protectRtcp(byte[] rtcp, int len) throws GeneralSecurityException {
        PacketBuffer buf = PacketBuffer.withTrailerRoom(rtcp, len);
        SrtpErrorStatus status = outRtcp.transformPacket(buf);
        if (status != SrtpErrorStatus.OK) {
            throw new GeneralSecurityException("SRTCP protect failed: " + status);
        }
        return buf;
    }

    /** Authenticates and decrypts SRTP in place; on OK {@code buf} holds the RTP packet. */
    public Verdict unprotectRtp(PacketBuffer buf) throws GeneralSecurityException {
        long ssrc = ssrcAt(buf, 8);
        SrtpCryptoContext ctx = inRtp.get(ssrc);
        if (ctx == null) {
            if (inRtp.size() >= MAX_INBOUND_SSRCS) {
                return Verdict.INVALID;
            }
            ctx = inbound.deriveContext((int) ssrc, 0);
            inRtp.put(ssrc, ctx);
        }
        return verdict(ctx.reverseTransformPacket(buf, false));
    }

    /** Authenticates and decrypts SRTCP in place. */
    public Verdict unprotectRtcp(PacketBuffer buf) throws GeneralSecurityException {
        long ssrc = ssrcAt(buf, 4);
        SrtcpCryptoContext ctx = inRtcp.get(ssrc);
        if (ctx == null) {
            if (inRtcp.size() >= MAX_INBOUND_SSRCS) {
                return Verdict.INVALID;
            }
            ctx = inbound.deriveControlContext((int) ssrc);
            inRtcp.put(ssrc, ctx);
        }
        return verdict(ctx.reverseTransformPacket(buf));
    }

    private static long ssrcAt(PacketBuffer buf, int at) {
        byte[] b = buf.getBuffer();
        int o = buf.getOffset() + at;
        return ((long) (b[o] & 0xFF) << 24) | ((b[o + 1] & 0xFF) << 16) | ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
    }

    private static Verdict verdict(SrtpErrorStatus status) {
        return switch (status) {
            case OK -> Verdict.OK;
            case AUTH_FAIL -> Verdict.AUTH_FAILURE;
            case REPLAY_FAIL, REPLAY_OLD -> Verdict.REPLAY;
            default -> Verdict.INVALID;
        };
    }

    /** The logger handed to jitsi-srtp (tests check what it accumulates). */
    Logger jitsiLogger() {
        return jitsiLogger;
    }

    @Override
    public void close() {
        outbound.close();
        inbound.close();
    }
}
