package org.wabridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/** Meta's media rules in the sandbox: the business sends first, and silence ends the call (20 s / 30 s, shortened). */
class EdgeMediaTest {

    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final LinkedBlockingQueue<String> hangUps = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** The business side: its own key and socket, sending SRTP to the sandbox. */
    private static final class Business implements AutoCloseable {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final CryptoAttribute key;
        SrtpEndpoint srtp;
        int seq;

        Business() throws Exception {
            byte[] k = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
            new SecureRandom().nextBytes(k);
            key = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, k);
            socket.setSoTimeout(300);
        }

        MetaSdp.Offer offer() {
            return new MetaSdp.Offer("127.0.0.1", socket.getLocalPort(), 111, 126, key);
        }

        void keyWith(EdgeMedia sandbox) throws Exception {
            srtp = new SrtpEndpoint(key, sandbox.ourKey());
        }

        void send(EdgeMedia sandbox, int packets) throws Exception {
            for (int i = 0; i < packets; i++) {
                byte[] rtp = Rtp.build(111, false, seq++, seq * 960L, 0x1234L, EdgeMedia.OPUS_FRAME);
                PacketBuffer p = srtp.protectRtp(rtp, rtp.length);
                socket.send(new DatagramPacket(p.getBuffer(), p.getLength(),
                        new InetSocketAddress("127.0.0.1", sandbox.port())));
                Thread.sleep(20);
            }
        }

        /** Packets from the sandbox that authenticate with its key, read for {@code millis}. */
        int receive(long millis) throws Exception {
            int ok = 0;
            long end = System.currentTimeMillis() + millis;
            byte[] buf = new byte[2048];
            while (System.currentTimeMillis() < end) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                byte[] copy = java.util.Arrays.copyOf(buf, p.getLength());
                if (srtp.unprotectRtp(PacketBuffer.withTrailerRoom(copy, copy.length)) == SrtpEndpoint.Verdict.OK) {
                    ok++;
                }
            }
            return ok;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void anUnprotectedRtcpReportIsToldApartFromAnSrtcpOne() throws Exception {
        byte[] report = org.wabridge.media.rtp.Rtcp.senderReport(0x1234L, System.currentTimeMillis(), 960, 10, 1600,
                "baresip@127.0.0.1");
        assertTrue(EdgeMedia.plainRtcp(report), "an SR + SDES compound as it is");
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        CryptoAttribute k = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key);
        SrtpEndpoint srtp = new SrtpEndpoint(k, k);
        PacketBuffer srtcp = srtp.protectRtcp(report.clone(), report.length);
        assertTrue(!EdgeMedia.plainRtcp(srtcp.toArray()), "the same report as SRTCP (index and tag appended)");
    }

    @Test
    void waitsForTheBusinessMaidenPacketThenTalks() throws Exception {
        try (Business business = new Business();
             EdgeMedia sandbox = new EdgeMedia("127.0.0.1", timer, Duration.ofSeconds(20), Duration.ofSeconds(30),
                     hangUps::add)) {
            business.keyWith(sandbox);
            sandbox.start(business.offer());
            assertEquals(0, business.receive(300), "Meta's relay must not send before the business's first packet");
            business.send(sandbox, 3);
            assertTrue(business.receive(500) >= 10, "after the maiden packet the sandbox sends 50 packets/s");
            assertEquals(3, sandbox.counters().received());
            assertEquals(0, sandbox.counters().rejected());
        }
    }

    @Test
    void noMediaAtTheStartEndsTheCall() throws Exception {
        try (Business business = new Business();
             EdgeMedia sandbox = new EdgeMedia("127.0.0.1", timer, Duration.ofMillis(400), Duration.ofSeconds(30),
                     hangUps::add)) {
            business.keyWith(sandbox);
            sandbox.start(business.offer());
            String why = hangUps.poll(3, TimeUnit.SECONDS);
            assertTrue(why != null && why.contains("after the call started"), String.valueOf(why));
        }
    }

    @Test
    void mediaThatStopsMidCallEndsTheCallOnce() throws Exception {
        try (Business business = new Business();
             EdgeMedia sandbox = new EdgeMedia("127.0.0.1", timer, Duration.ofMillis(400), Duration.ofMillis(600),
                     hangUps::add)) {
            business.keyWith(sandbox);
            sandbox.start(business.offer());
            business.send(sandbox, 30); // 600 ms of media: no hang-up while it flows
            assertEquals(null, hangUps.poll(), "no hang-up while media flows");
            String why = hangUps.poll(3, TimeUnit.SECONDS);
            assertTrue(why != null && why.contains("during the call"), String.valueOf(why));
            assertEquals(null, hangUps.poll(1, TimeUnit.SECONDS), "one hang-up only");
        }
    }

    @Test
    void packetsUnderAnotherKeyAreRejectedNotCounted() throws Exception {
        try (Business business = new Business(); Business stranger = new Business();
             EdgeMedia sandbox = new EdgeMedia("127.0.0.1", timer, Duration.ofSeconds(20), Duration.ofSeconds(30),
                     hangUps::add)) {
            business.keyWith(sandbox);
            stranger.keyWith(sandbox);
            sandbox.start(business.offer());
            stranger.send(sandbox, 3);
            Thread.sleep(200);
            assertEquals(0, sandbox.counters().received());
            assertEquals(3, sandbox.counters().rejected());
            assertTrue(sandbox.counters().rejectedWhy().contains("AUTH_FAILURE RTP"), sandbox.counters().toString());
        }
    }
}
