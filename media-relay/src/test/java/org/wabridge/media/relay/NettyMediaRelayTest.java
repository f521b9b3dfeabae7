package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.wabridge.config.MediaSettings.IoEngine;
import org.wabridge.media.MediaException;
import org.wabridge.media.MediaSession;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/** Ports, threads and thread rules of the Netty relay (ports 31400-31499 are this class's). */
class NettyMediaRelayTest {

    private static final int MIN = 31400;
    private static final int MAX = 31419; // 5 calls of 4 ports

    @ParameterizedTest
    @EnumSource(IoEngine.class)
    void portsAreReleasedOnCloseAndExhaustionIsReportedClearly(IoEngine engine) throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withIoEngine(engine))) {
            assertEquals(engine.name().toLowerCase(), relay.ioEngine(),
                    "native epoll and io_uring both load on Linux x86-64 (kernel 5.1+, io_uring not disabled)");
            for (int round = 0; round < 8; round++) { // 40 calls through a range that holds 5
                List<MediaSession> open = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    open.add(relay.open("call-" + round + "-" + i, (leg, d) -> { }));
                }
                assertEquals(5, relay.activeSessions());
                MediaException full = assertThrows(MediaException.class, () -> relay.open("one-too-many", (l, d) -> { }));
                assertTrue(full.getMessage().contains("no free UDP ports"), full.getMessage());
                assertTrue(full.getMessage().contains(MIN + "-" + MAX), full.getMessage());
                open.forEach(MediaSession::close);
                open.get(0).close(); // idempotent
                awaitNoSessions(relay); // ports return asynchronously
            }
            for (int port = MIN; port <= MAX; port++) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    assertEquals(port, s.getLocalPort(), "port " + port + " is free again");
                }
            }
        }
    }

    @Test
    void aPortHeldBySomethingElseIsSkipped() throws Exception {
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", 31442));
             NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31440, 31447))) {
            MediaSession session = relay.open("skip", (l, d) -> { });
            String offer = session.metaOfferFromPbxOffer("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                    + "t=0 0\r\nm=audio 5000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n");
            assertTrue(offer.contains("m=audio 31446 RTP/SAVP"), "second block, Meta port base+2:\n" + offer);
            assertNotEquals(0, squatter.getLocalPort());
            assertThrows(MediaException.class, () -> relay.open("full", (l, d) -> { }));
        }
    }

    @Test
    void closingTheRelayEndsItsThreadsAndSessions() throws Exception {
        NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31460, 31479));
        relay.open("a", (l, d) -> { });
        relay.open("b", (l, d) -> { });
        assertTrue(relayThreads() > 0);
        relay.close();
        assertEquals(0, relay.activeSessions());
        long deadline = System.currentTimeMillis() + 5000;
        while (relayThreads() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, relayThreads(), "relay threads left after close()");
        assertThrows(MediaException.class, () -> relay.open("late", (l, d) -> { }));
        for (int port = 31460; port <= 31479; port++) {
            new DatagramSocket(new InetSocketAddress("127.0.0.1", port)).close();
        }
    }

    @Test
    @Timeout(30)
    void nothingWaitsForABusyEventLoopAndTheClosedSessionsPortsAreReleasedAfterwards() throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31420, 31423))) {
            NettyMediaSession session = (NettyMediaSession) relay.open("busy-loop", (l, d) -> { });
            CountDownLatch unblock = blockLoop(session.eventLoop());
            long sdpStarted = System.nanoTime();
            long closeStarted;
            long closeMillis;
            try {
                String offer = session.metaOfferFromPbxOffer(pbxSdp(5000));
                session.pbxAnswerFromMetaAnswer(metaSdp(5002, randomKey()));
                session.startMetaLeg();
                session.stats();
                long sdpMillis = (System.nanoTime() - sdpStarted) / 1_000_000;
                assertTrue(sdpMillis < 1000, "SDP steps and startMetaLeg must not wait for the loop: " + sdpMillis + " ms");
                assertTrue(offer.contains("m=audio 31422 RTP/SAVP"), offer);
                closeStarted = System.nanoTime();
                session.close();
                closeMillis = (System.nanoTime() - closeStarted) / 1_000_000;
                session.close(); // idempotent, and still does not wait
                assertEquals(1, relay.activeSessions(), "the sockets close on the (busy) loop: ports not free yet");
            } finally {
                unblock.countDown();
            }
            assertTrue(closeMillis < 1000, "close() must return without waiting for the loop: " + closeMillis + " ms");
            long deadline = System.currentTimeMillis() + 5000;
            while (relay.activeSessions() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, relay.activeSessions(), "ports released once the loop closed the sockets");
            assertTrue(session.released().isDone());
            for (int port = 31420; port <= 31423; port++) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    assertEquals(port, s.getLocalPort(), "port " + port + " is free again");
                }
            }
            assertNotEquals(null, relay.open("after", (l, d) -> { }), "the block is usable again");
        }
    }

    @ParameterizedTest
    @EnumSource(IoEngine.class)
    @Timeout(30)
    void overRealSocketsMetaHearsNothingBeforeTheStartThenTheHeldAudioAtOnce(IoEngine engine) throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31424, 31427).withIoEngine(engine));
             DatagramSocket meta = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            MediaSession session = relay.open("not-before-start", (l, d) -> { });
            assertThrows(IllegalStateException.class, session::startMetaLeg, "no start before the SDP exchange");
            byte[] metaKey = randomKey();
            String offer = session.metaOfferFromPbxOffer(pbxSdp(pbx.getLocalPort()));
            String pbxAnswer = session.pbxAnswerFromMetaAnswer(metaSdp(meta.getLocalPort(), metaKey));
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxAnswer));
            // the PBX talks for 400 ms, then the clock runs past the silence fill (1 s): all before the start
            for (int i = 0; i < 20; i++) {
                byte[] rtp = Rtp.build(96, false, 100 + i, i * 960L, 0x4242L, new byte[] {(byte) i, 1, 2, 3});
                pbx.send(new DatagramPacket(rtp, rtp.length, relayPbx));
                Thread.sleep(20);
            }
            meta.setSoTimeout(1300);
            assertThrows(SocketTimeoutException.class, () -> meta.receive(new DatagramPacket(new byte[2048], 2048)),
                    "nothing toward Meta before startMetaLeg: no audio, no silence, no SRTCP");

            long started = System.nanoTime();
            session.startMetaLeg();
            session.startMetaLeg(); // idempotent
            meta.setSoTimeout(2000);
            Matcher ours = Pattern.compile("a=crypto:(\\d+) (\\S+) inline:(\\S+)").matcher(offer);
            assertTrue(ours.find(), offer);
            SrtpEndpoint metaSide = new SrtpEndpoint(new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, metaKey),
                    CryptoAttribute.parse(ours.group(1) + " " + ours.group(2) + " inline:" + ours.group(3)).orElseThrow());
            List<byte[]> audio = new ArrayList<>();
            long firstMillis = -1;
            while (audio.size() < 20) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                meta.receive(p);
                if (firstMillis < 0) {
                    firstMillis = (System.nanoTime() - started) / 1_000_000;
                }
                PacketBuffer buf = new PacketBuffer(Arrays.copyOf(p.getData(), p.getLength()), p.getLength());
                if (Rtp.looksLikeRtcp(buf.getBuffer(), buf.getLength())) {
                    continue;
                }
                assertEquals(SrtpEndpoint.Verdict.OK, metaSide.unprotectRtp(buf));
                audio.add(buf.toArray());
            }
            assertTrue(firstMillis < 500, "the maiden packet leaves at the start, got it after " + firstMillis + " ms");
            for (int i = 0; i < 20; i++) {
                assertEquals(i, audio.get(i)[12], "held PBX audio first and in order (no silence frame before it)");
                assertEquals(111, Rtp.payloadType(audio.get(i)));
            }
            session.close();
        }
    }

    @ParameterizedTest
    @EnumSource(IoEngine.class)
    @Timeout(60)
    void aPacketSentTheMomentOpenReturnsIsReceived(IoEngine engine) throws Exception {
        // The SDP steps no longer pass through the event loop, so nothing else makes sure that a session's socket
        // handler is active before the PBX, told our port, sends its first packet: it must be from open() on.
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(31480, 31499).withIoEngine(engine));
             DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] rtp = Rtp.build(96, false, 1, 960, 0x4242L, new byte[20]);
            int lost = 0;
            for (int round = 0; round < 40; round++) {
                List<MediaSession> open = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    MediaSession session = relay.open("first-packet-" + round + "-" + i, (l, d) -> { });
                    pbx.send(new DatagramPacket(rtp, rtp.length,
                            new InetSocketAddress("127.0.0.1", ((NettyMediaSession) session).basePort())));
                    open.add(session);
                }
                Thread.sleep(30);
                for (MediaSession session : open) {
                    lost += session.stats().pbx().packetsIn() == 1 ? 0 : 1;
                    session.close();
                }
                awaitNoSessions(relay);
            }
            assertEquals(0, lost, "first packets lost of 200 sessions");
        }
    }

    private static void awaitNoSessions(NettyMediaRelay relay) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (relay.activeSessions() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, relay.activeSessions(), "closed sessions' ports are back in the pool");
    }

    /** A PBX SDP on 127.0.0.1 (Opus, telephone-event), as offer or answer; SharedMediaPortsTest uses it too. */
    /** Parks {@code loop} in a task of ours until the returned latch is counted down (at most 10 s). */
    static CountDownLatch blockLoop(EventLoop loop) throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        loop.execute(() -> {
            entered.countDown();
            try {
                unblock.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(entered.await(5, TimeUnit.SECONDS), "the loop ran our task");
        return unblock;
    }

    static String pbxSdp(int port) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + port
                + " RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
    }

    /** A Meta SDP on 127.0.0.1 with SDES key {@code key}, as offer or answer. */
    static String metaSdp(int port, byte[] key) {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio " + port + " RTP/SAVP 111 126\r\n"
                + "c=IN IP4 127.0.0.1\r\na=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
                + Base64.getEncoder().encodeToString(key) + "\r\na=rtpmap:111 opus/48000/2\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\na=ptime:20\r\n";
    }

    private static byte[] randomKey() {
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static int mediaPort(String sdp) {
        Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(sdp);
        assertTrue(m.find(), sdp);
        return Integer.parseInt(m.group(1));
    }

    private static long relayThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(NettyMediaRelay.THREAD_PREFIX)).count();
    }
}
