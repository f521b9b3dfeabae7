package org.wabridge.media.srtp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.GeneralSecurityException;
import org.wabridge.media.rtp.Rtcp;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * Meta's side of the relay receiving SRTP/SRTCP: any datagram that passes the relay's own gate (as
 * {@code CallMedia} does: RTCP by its second byte and at least 16 bytes, otherwise a valid RTP header) is
 * unprotected. Documented answers: a {@link SrtpEndpoint.Verdict}, or a {@link GeneralSecurityException}; anything
 * else is a crash. Half of the inputs are first protected by a peer with the right key (so authentication passes
 * and decryption, replay and RTCP index handling are reached) and then optionally altered at one byte.
 * ({@code crash-9ff5ee...} was this harness protecting an RTP packet whose extension runs past its end, which the
 * relay never protects: the SRTP library of the time threw IllegalArgumentException for it, {@link SrtpEndpoint}
 * refuses it with a GeneralSecurityException. Kept as a seed.)
 * Seeds: {@code SrtpUnprotectFuzzTestInputs/}; {@code scripts/fuzz srtp SECONDS}.
 */
class SrtpUnprotectFuzzTest {

    private static final CryptoAttribute RELAY = key(1);
    private static final CryptoAttribute META = key(2);

    private static CryptoAttribute key(int seed) {
        byte[] material = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        for (int i = 0; i < material.length; i++) {
            material[i] = (byte) (seed * 31 + i);
        }
        return new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, material);
    }

    @FuzzTest(maxDuration = "10m")
    void unprotect(FuzzedDataProvider data) throws Exception {
        boolean protectFirst = data.consumeBoolean();
        int flipAt = data.consumeInt(-1, 400);
        byte flip = data.consumeByte();
        byte[] p = data.consumeRemainingAsBytes();
        SrtpEndpoint relay = new SrtpEndpoint(RELAY, META);
        SrtpEndpoint meta = new SrtpEndpoint(META, RELAY);
        boolean rtcp = Rtp.looksLikeRtcp(p, p.length);
        // Meta's side protects what a sender would: a valid RTP packet or compound RTCP (our own outbound path
        // checks the PBX's packets the same way before protecting them)
        if (protectFirst && (rtcp ? Rtcp.isValidCompound(p, p.length) : Rtp.isValidRtp(p, p.length))) {
            PacketBuffer sent;
            try {
                sent = rtcp ? meta.protectRtcp(p, p.length) : meta.protectRtp(p, p.length);
            } catch (GeneralSecurityException e) {
                return; // not a packet Meta's side could have sent
            }
            p = sent.toArray();
            if (flipAt >= 0 && flipAt < p.length) {
                p[flipAt] ^= flip;
            }
        }
        receive(relay, p);
        receive(relay, p); // the same packet again: the replay check
    }

    /** The relay's gate and unprotect, as CallMedia runs them on a datagram from Meta. */
    private static void receive(SrtpEndpoint relay, byte[] datagram) {
        byte[] p = datagram.clone(); // unprotect works in place
        int len = p.length;
        boolean rtcp = Rtp.looksLikeRtcp(p, len);
        if (rtcp ? len < 8 + 4 + 4 : !Rtp.isValidRtp(p, len)) {
            return;
        }
        try {
            SrtpEndpoint.Verdict verdict = rtcp ? relay.unprotectRtcp(new PacketBuffer(p, len))
                    : relay.unprotectRtp(new PacketBuffer(p, len));
            if (verdict == null) {
                throw new AssertionError("no verdict");
            }
        } catch (GeneralSecurityException e) {
            // documented: a packet the SRTP library refuses outright
        }
    }
}
