package org.wabridge.media.rtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;

/**
 * Any datagram through the relay's RTP/RTCP header checks, as an array exactly as long as the datagram (so a read
 * past its end throws instead of reading a stale buffer). The checks answer true or false; the header reads the
 * relay makes after a true never leave the packet. Seeds: {@code RtpRtcpFuzzTestInputs/}; {@code scripts/fuzz rtp}.
 */
class RtpRtcpFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void rtpAndRtcpHeaders(byte @NotNull [] p) {
        int len = p.length;
        if (Rtp.looksLikeRtcp(p, len)) {
            if (Rtcp.isValidCompound(p, len)) {
                Rtcp.ssrc(p);
            }
            return;
        }
        if (Rtp.isValidRtp(p, len)) {
            int header = Rtp.headerLength(p, len);
            assertTrue(header >= Rtp.HEADER_LENGTH && header <= len, "header inside the packet: " + header);
            Rtp.payloadType(p);
            Rtp.marker(p);
            Rtp.sequence(p);
            Rtp.timestamp(p);
            Rtp.ssrc(p);
        }
    }
}
