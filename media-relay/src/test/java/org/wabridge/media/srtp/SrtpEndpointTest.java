package org.wabridge.media.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.lang.reflect.Field;
import java.security.SecureRandom;
import java.util.List;
import org.jitsi.utils.logging2.LogContext;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtcp;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;

/** Two endpoints with swapped keys, as the relay and Meta: protect on one, unprotect on the other. */
class SrtpEndpointTest {

    private static CryptoAttribute key(SrtpSuite suite) {
        byte[] material = new byte[30];
        new SecureRandom().nextBytes(material);
        return new CryptoAttribute(1, suite, material);
    }

    @Test
    void rtpAndRtcpRoundTripBothSuites() throws Exception {
        for (SrtpSuite suite : SrtpSuite.values()) {
            CryptoAttribute relayKey = key(suite);
            CryptoAttribute metaKey = key(suite);
            try (SrtpEndpoint relay = new SrtpEndpoint(relayKey, metaKey, 1111);
                 SrtpEndpoint meta = new SrtpEndpoint(metaKey, relayKey, 2222)) {
                byte[] rtp = Rtp.build(111, true, 7, 960, 1111, new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE});
                PacketBuffer srtp = relay.protectRtp(rtp, rtp.length);
                assertEquals(rtp.length + suite.srtpTagLength(), srtp.getLength(), suite + " tag length");
                assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtp(srtp));
                assertArrayEquals(rtp, srtp.toArray());

                byte[] sr = Rtcp.senderReport(1111, System.currentTimeMillis(), 960, 1, 3, "cname");
                PacketBuffer srtcp = relay.protectRtcp(sr, sr.length);
                assertEquals(sr.length + 4 + SrtpSuite.SRTCP_TAG_LENGTH, srtcp.getLength(), "E|index and 80-bit tag");
                assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtcp(srtcp));
                assertArrayEquals(sr, srtcp.toArray());
            }
        }
    }

    @Test
    void tamperedPacketFailsAuthenticationAndReplayIsRefused() throws Exception {
        CryptoAttribute relayKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        CryptoAttribute metaKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        try (SrtpEndpoint relay = new SrtpEndpoint(relayKey, metaKey, 1111);
             SrtpEndpoint meta = new SrtpEndpoint(metaKey, relayKey, 2222)) {
            byte[] rtp = Rtp.build(111, false, 8, 1920, 1111, new byte[20]);
            byte[] srtp = relay.protectRtp(rtp, rtp.length).toArray();

            byte[] tampered = srtp.clone();
            tampered[15] ^= 1;
            assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE,
                    meta.unprotectRtp(new PacketBuffer(tampered, 0, tampered.length)));

            assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtp(new PacketBuffer(srtp.clone(), 0, srtp.length)));
            assertEquals(SrtpEndpoint.Verdict.REPLAY, meta.unprotectRtp(new PacketBuffer(srtp.clone(), 0, srtp.length)));
        }
    }

    @Test
    void wrongKeyFailsAuthentication() throws Exception {
        CryptoAttribute relayKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        try (SrtpEndpoint relay = new SrtpEndpoint(relayKey, relayKey, 1);
             SrtpEndpoint stranger = new SrtpEndpoint(relayKey, key(SrtpSuite.AES_CM_128_HMAC_SHA1_80), 2)) {
            byte[] rtp = Rtp.build(0, false, 1, 160, 1, new byte[160]);
            PacketBuffer srtp = relay.protectRtp(rtp, rtp.length);
            assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE, stranger.unprotectRtp(srtp));
        }
    }

    /**
     * jitsi-utils keeps, for every logger, a weak reference to each child logger made from it, and never prunes the
     * list. A logger shared by every endpoint therefore grew by two entries a call for the life of the bridge (the
     * soak's live-heap histograms showed 84,000 more WeakReferences after 7 minutes at 100 calls/s). Each endpoint's
     * own logger holds only its own children and goes with the endpoint.
     */
    @Test
    void endpointsDoNotPileChildLoggersOntoOneSharedLogger() throws Exception {
        CryptoAttribute relayKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        CryptoAttribute metaKey = key(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        Logger previous = null;
        int firstCount = -1;
        for (int call = 0; call < 50; call++) {
            try (SrtpEndpoint endpoint = new SrtpEndpoint(relayKey, metaKey, 1111)) {
                int children = childLoggers(endpoint.jitsiLogger());
                if (firstCount < 0) {
                    firstCount = children;
                }
                assertEquals(firstCount, children, "child loggers recorded after " + (call + 1) + " endpoints");
                if (previous != null) {
                    assertNotSame(previous, endpoint.jitsiLogger());
                }
                previous = endpoint.jitsiLogger();
            }
        }
    }

    /** How many child loggers jitsi-utils has recorded for {@code logger} (its private list, read reflectively). */
    private static int childLoggers(Logger logger) throws ReflectiveOperationException {
        Field context = LoggerImpl.class.getDeclaredField("logContext");
        context.setAccessible(true);
        Field children = LogContext.class.getDeclaredField("childContexts");
        children.setAccessible(true);
        return ((List<?>) children.get(context.get(logger))).size();
    }
}
