package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.wabridge.config.MediaSettings.IoEngine;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.MediaException;
import org.wabridge.media.MediaSession;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * media.sharedPorts over real sockets: the calls share one PBX port, each faces Meta from a port of its own, and each
 * peer hears its own call only, checked at the far side (the Meta stand-in decrypts with its call's key). Ports
 * 31700-31719.
 */
class SharedMediaPortsTest {

    private static final int MIN = 31700;
    private static final int MAX = 31719;
    private static final Pattern MEDIA_PORT = Pattern.compile("m=audio (\\d+) ");
    private static final Pattern OUR_CRYPTO = Pattern.compile("a=crypto:(\\d+) (\\S+) inline:(\\S+)");

    /** One business-initiated call: a PBX socket, a Meta socket and the Meta side's SRTP. */
    private static final class Call implements AutoCloseable {
        final DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        final DatagramSocket meta;
        final NettyMediaSession session;
        final SrtpEndpoint metaSide;
        final InetSocketAddress relayPbx;
        final InetSocketAddress relayMeta;

        Call(NettyMediaRelay relay, String id) throws Exception {
            this(relay, id, new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        }

        /** @param meta Meta's media socket; several calls may share one, as calls through one Meta relay do */
        Call(NettyMediaRelay relay, String id, DatagramSocket meta) throws Exception {
            this.meta = meta;
            session = (NettyMediaSession) relay.open(id, (l, d) -> { });
            byte[] metaKey = new byte[30];
            new SecureRandom().nextBytes(metaKey);
            String offer = session.metaOfferFromPbxOffer(NettyMediaRelayTest.pbxSdp(pbx.getLocalPort()));
            String answer = session.pbxAnswerFromMetaAnswer(NettyMediaRelayTest.metaSdp(meta.getLocalPort(), metaKey));
            session.startMetaLeg();
            Matcher ours = OUR_CRYPTO.matcher(offer);
            assertTrue(ours.find(), offer);
            metaSide = new SrtpEndpoint(new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, metaKey),
                    CryptoAttribute.parse(ours.group(1) + " " + ours.group(2) + " inline:" + ours.group(3)).orElseThrow());
            relayPbx = new InetSocketAddress("127.0.0.1", port(answer));
            relayMeta = new InetSocketAddress("127.0.0.1", port(offer));
            pbx.setSoTimeout(2000);
            meta.setSoTimeout(2000);
        }

        void pbxSends(int marker, int seq) throws Exception {
            byte[] rtp = Rtp.build(96, false, seq, seq * 960L, 0x4242L, new byte[] {(byte) marker, (byte) seq, 0, 0});
            pbx.send(new DatagramPacket(rtp, rtp.length, relayPbx));
        }

        void metaSends(int marker, int seq) throws Exception {
            byte[] rtp = Rtp.build(111, false, seq, seq * 960L, 0x7777L, new byte[] {(byte) marker, (byte) seq, 0, 0});
            PacketBuffer srtp = metaSide.protectRtp(Arrays.copyOf(rtp, rtp.length + PacketBuffer.TRAILER_ROOM), rtp.length);
            meta.send(new DatagramPacket(srtp.getBuffer(), srtp.getLength(), relayMeta));
        }

        /** The first payload byte of the next audio packet Meta decrypts with this call's key (RTCP skipped). */
        int metaHears() throws Exception {
            while (true) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                meta.receive(p);
                assertEquals(relayMeta.getPort(), p.getPort(), "Meta's media comes from the port our SDP gave it");
                PacketBuffer buf = new PacketBuffer(Arrays.copyOf(p.getData(), p.getLength()), p.getLength());
                if (Rtp.looksLikeRtcp(buf.getBuffer(), buf.getLength())) {
                    continue;
                }
                assertEquals(SrtpEndpoint.Verdict.OK, metaSide.unprotectRtp(buf), "encrypted with this call's key");
                byte[] plain = buf.toArray();
                if (Rtp.payloadType(plain) == 111 && plain.length == 12 + 4) {
                    return plain[12];
                }
                // the maiden silence frame of the start
            }
        }

        /** The first payload byte of the next packet the PBX receives. */
        int pbxHears() throws Exception {
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            pbx.receive(p);
            assertEquals(relayPbx.getPort(), p.getPort(), "the PBX's media comes from the port our SDP gave it");
            return p.getData()[12];
        }

        @Override
        public void close() {
            session.close();
            pbx.close();
            meta.close();
        }
    }

    @ParameterizedTest
    @EnumSource(IoEngine.class)
    @Timeout(30)
    void callsShareOnePbxPortAndEachPeerHearsOnlyItsOwnCall(IoEngine engine) throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withIoEngine(engine)
                .withSharedPorts(true))) {
            List<Call> calls = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    calls.add(new Call(relay, "shared-" + i));
                }
                for (Call c : calls) {
                    assertTrue(c.session.sharesPorts());
                    assertEquals(calls.get(0).relayPbx, c.relayPbx, "one PBX port for all calls");
                }
                assertEquals(3, calls.stream().map(c -> c.relayMeta).distinct().count(), "a Meta port for each call");
                for (int seq = 0; seq < 10; seq++) { // interleaved: the relay reads them in mixed batches
                    for (int i = 0; i < calls.size(); i++) {
                        calls.get(i).pbxSends(10 + i, seq);
                        calls.get(i).metaSends(20 + i, seq);
                    }
                }
                for (int i = 0; i < calls.size(); i++) {
                    for (int seq = 0; seq < 10; seq++) {
                        assertEquals(10 + i, calls.get(i).metaHears(), "call " + i + "'s Meta hears its own PBX");
                        assertEquals(20 + i, calls.get(i).pbxHears(), "call " + i + "'s PBX hears its own Meta");
                    }
                }
                assertEquals(0, relay.unmatchedSharedPackets());
            } finally {
                calls.forEach(Call::close);
            }
        }
    }

    /**
     * Meta's media relays serve all their calls from one address and port (3480, 3484, ...: the facts file, 4.3), so
     * two live calls often name the same Meta address. Neither side can tell two calls apart on one pair of
     * addresses (DTLS records carry no call, Meta maps our media address to its call), so each call must face Meta
     * from a port of its own while the PBX side stays shared.
     */
    @Test
    @Timeout(30)
    void twoCallsThroughOneMetaRelayAddressFaceItFromTwoPortsAndEachHearsOnlyItsOwnCall() throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withSharedPorts(true));
             DatagramSocket metaRelay = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            metaRelay.setSoTimeout(2000);
            List<Call> calls = List.of(new Call(relay, "first", metaRelay), new Call(relay, "second", metaRelay));
            try {
                assertEquals(calls.get(0).relayPbx, calls.get(1).relayPbx, "one PBX port for both calls");
                assertNotEquals(calls.get(0).relayMeta, calls.get(1).relayMeta, "a Meta port for each call");
                for (int seq = 0; seq < 10; seq++) {
                    for (int i = 0; i < calls.size(); i++) {
                        calls.get(i).pbxSends(10 + i, seq);
                        calls.get(i).metaSends(20 + i, seq);
                    }
                }
                // Meta's side: one socket, a call told apart by the relay port it comes from, decrypted with its key
                List<List<Integer>> heard = List.of(new ArrayList<>(), new ArrayList<>());
                while (heard.get(0).size() < 10 || heard.get(1).size() < 10) {
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    metaRelay.receive(p);
                    int i = p.getPort() == calls.get(0).relayMeta.getPort() ? 0 : 1;
                    assertEquals(calls.get(i).relayMeta.getPort(), p.getPort(), "from one of the calls' Meta ports");
                    PacketBuffer buf = new PacketBuffer(Arrays.copyOf(p.getData(), p.getLength()), p.getLength());
                    if (Rtp.looksLikeRtcp(buf.getBuffer(), buf.getLength())) {
                        continue;
                    }
                    assertEquals(SrtpEndpoint.Verdict.OK, calls.get(i).metaSide.unprotectRtp(buf),
                            "call " + i + "'s Meta port sends with call " + i + "'s key");
                    if (buf.getLength() == 12 + 4) { // not the maiden silence frame
                        heard.get(i).add((int) buf.toArray()[12]);
                    }
                }
                assertEquals(List.of(10, 10, 10, 10, 10, 10, 10, 10, 10, 10), heard.get(0));
                assertEquals(List.of(11, 11, 11, 11, 11, 11, 11, 11, 11, 11), heard.get(1));
                for (int i = 0; i < calls.size(); i++) {
                    for (int seq = 0; seq < 10; seq++) {
                        assertEquals(20 + i, calls.get(i).pbxHears(), "call " + i + "'s PBX hears its own Meta");
                    }
                }
                assertEquals(0, calls.get(0).session.stats().meta().authFailures());
                assertEquals(0, calls.get(1).session.stats().meta().authFailures());
            } finally {
                calls.forEach(Call::close);
            }
        }
    }

    @Test
    @Timeout(30)
    void aCallThatFindsNoFreeMetaPortIsRefusedWithTheRangeNamedAndAnEndedCallsPortServesTheNext() throws Exception {
        // two blocks: the shared PBX ports and one call's Meta port
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MIN + 7).withSharedPorts(true))) {
            MediaSession first = relay.open("first", (l, d) -> { });
            MediaException full = assertThrows(MediaException.class, () -> relay.open("second", (l, d) -> { }));
            assertTrue(full.getMessage().contains("no free UDP ports for the media of call second in media port range "
                    + MIN + "-" + (MIN + 7)), full.getMessage());
            first.close();
            long deadline = System.currentTimeMillis() + 5000;
            while (relay.activeSessions() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            MediaSession third = relay.open("third", (l, d) -> { });
            assertEquals(MIN + 4, ((NettyMediaSession) third).basePort(), "the ended call's block");
            third.close();
        }
    }

    @Test
    @Timeout(30)
    void aStrangerOrAClosedCallsPeerReachesNoCallAndIsCounted() throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withSharedPorts(true));
             Call first = new Call(relay, "first");
             Call second = new Call(relay, "second");
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] rtp = Rtp.build(96, false, 1, 960, 0x5555L, new byte[] {99, 0, 0, 0});
            stranger.send(new DatagramPacket(rtp, rtp.length, first.relayPbx));
            awaitUnmatched(relay, 1);

            first.session.close();
            first.pbxSends(10, 1); // its address no longer routes anywhere
            awaitUnmatched(relay, 2);
            second.pbxSends(11, 1);
            assertEquals(11, second.metaHears(), "the other call goes on");
            assertEquals(0, first.session.stats().pbx().packetsIn());
            assertEquals(1, second.session.stats().pbx().packetsIn(), "the stranger's packet reached no call");
            assertEquals(1, relay.activeSessions());
        }
    }

    @Test
    @Timeout(30)
    void aPbxReofferWithANewAddressMovesTheRoute() throws Exception {
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withSharedPorts(true));
             Call call = new Call(relay, "moves");
             DatagramSocket moved = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            call.session.pbxReoffer(NettyMediaRelayTest.pbxSdp(moved.getLocalPort()).replace("o=- 1 1", "o=- 1 2"));
            call.pbxSends(10, 1); // the old address
            awaitUnmatched(relay, 1);
            byte[] rtp = Rtp.build(96, false, 2, 1920, 0x4242L, new byte[] {12, 2, 0, 0});
            moved.send(new DatagramPacket(rtp, rtp.length, call.relayPbx));
            assertEquals(12, call.metaHears(), "the new address is routed to the call");
            call.metaSends(21, 1);
            moved.setSoTimeout(2000);
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            moved.receive(p);
            assertEquals(21, p.getData()[12], "Meta's audio goes to the PBX's new address");
        }
    }

    @Test
    @Timeout(30)
    void aRangeWithNoFreeBlockToShareStopsTheStartWithTheRangeNamed() throws Exception {
        // the last block of the range, one of its ports held by another program
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", MAX - 2))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new NettyMediaRelay(TestSettings.loopback(MAX - 3, MAX).withSharedPorts(true)).close());
            assertTrue(e.getMessage().contains("media.sharedPorts: no free block of 4 ports in media port range"),
                    e.getMessage());
        }
        // the failed start released what it had bound
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", MAX - 3))) {
            assertEquals(MAX - 3, s.getLocalPort());
        }
    }

    @Test
    @Timeout(30)
    void dtlsCallsShareThePbxPortsTooAndClosingTheRelayFreesEveryPort() throws Exception {
        int sharedPbxPort;
        List<Integer> metaPorts = new ArrayList<>();
        awaitRangeFree(); // an io_uring relay of an earlier test may still be closing its sockets
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withSharedPorts(true));
             DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            NettyMediaSession sdes = (NettyMediaSession) relay.open("sdes", SrtpKeyExchange.SDES, (l, d) -> { });
            NettyMediaSession dtls = (NettyMediaSession) relay.open("dtls", SrtpKeyExchange.DTLS, (l, d) -> { });
            String sdesOffer = sdes.metaOfferFromPbxOffer(NettyMediaRelayTest.pbxSdp(pbx.getLocalPort()));
            String dtlsOffer = dtls.metaOfferFromPbxOffer(NettyMediaRelayTest.pbxSdp(pbx.getLocalPort() + 2));
            assertTrue(sdes.sharesPorts());
            assertTrue(dtls.sharesPorts(), "a DTLS call's PBX side is shared like an SDES call's");
            assertTrue(dtlsOffer.contains("UDP/TLS/RTP/SAVPF") && dtlsOffer.contains("a=fingerprint:"), dtlsOffer);
            Matcher candidate = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host")
                    .matcher(dtlsOffer);
            assertTrue(candidate.find(), dtlsOffer);
            assertEquals(port(dtlsOffer), Integer.parseInt(candidate.group(1)), "the ICE candidate is the call's port");
            metaPorts.add(port(sdesOffer));
            metaPorts.add(port(dtlsOffer));
            assertNotEquals(metaPorts.get(0), metaPorts.get(1));
            sharedPbxPort = sdes.pbxPort();
            assertEquals(sharedPbxPort, dtls.pbxPort());
            sdes.close();
            dtls.close();
        }
        assertTrue(metaPorts.stream().allMatch(p -> p >= MIN && p <= MAX) && sharedPbxPort >= MIN);
        // the calls' and the shared sockets' ports
        assertEquals(List.of(), boundPorts(), "ports still bound after the relay closed");
    }

    @Test
    @Timeout(30)
    void whatThePbxSendsBeforeItsAnswerIsReadIsHeldForItsCallNotDropped() throws Exception {
        // user-initiated: the PBX gets our offer and plays its greeting as it sends its 200 OK; the relay reads the
        // first packets before the bridge has read that 200 and its SDP
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(MIN, MAX).withSharedPorts(true));
             DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket meta = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            NettyMediaSession session = (NettyMediaSession) relay.open("greeting", (l, d) -> { });
            byte[] metaKey = new byte[30];
            new SecureRandom().nextBytes(metaKey);
            String pbxOffer = session.pbxOfferFromMetaOffer(NettyMediaRelayTest.metaSdp(meta.getLocalPort(), metaKey));
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", port(pbxOffer));
            for (int i = 0; i < 3; i++) {
                byte[] rtp = Rtp.build(96, false, i, i * 960L, 0x4242L, new byte[] {(byte) (30 + i), 0, 0, 0});
                pbx.send(new DatagramPacket(rtp, rtp.length, relayPbx));
            }
            Thread.sleep(100); // the 200 OK is being read
            String metaAnswer = session.metaAnswerFromPbxAnswer(NettyMediaRelayTest.pbxSdp(pbx.getLocalPort()));
            session.startMetaLeg();
            Matcher ours = OUR_CRYPTO.matcher(metaAnswer);
            assertTrue(ours.find(), metaAnswer);
            SrtpEndpoint metaSide = new SrtpEndpoint(
                    new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, metaKey),
                    CryptoAttribute.parse(ours.group(1) + " " + ours.group(2) + " inline:" + ours.group(3)).orElseThrow());
            meta.setSoTimeout(2000);
            List<Integer> heard = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 3000; // silence fill would otherwise keep this going
            while (heard.size() < 3 && System.currentTimeMillis() < deadline) {
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                meta.receive(p);
                PacketBuffer buf = new PacketBuffer(Arrays.copyOf(p.getData(), p.getLength()), p.getLength());
                if (Rtp.looksLikeRtcp(buf.getBuffer(), buf.getLength())) {
                    continue;
                }
                assertEquals(SrtpEndpoint.Verdict.OK, metaSide.unprotectRtp(buf));
                if (buf.getLength() == 12 + 4) { // not the maiden silence frame that opens a user-initiated call
                    heard.add((int) buf.toArray()[12]);
                }
            }
            assertEquals(List.of(30, 31, 32), heard, "the greeting's first packets, in order");
            assertEquals(3, session.stats().pbx().packetsIn());
            assertEquals(0, relay.unmatchedSharedPackets());
            session.close();
        }
    }

    /** Ports of the range something holds. */
    private static List<Integer> boundPorts() {
        List<Integer> bound = new ArrayList<>();
        for (int port = MIN; port <= MAX; port++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                assertEquals(port, s.getLocalPort());
            } catch (java.net.SocketException e) {
                bound.add(port);
            }
        }
        return bound;
    }

    private static void awaitRangeFree() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!boundPorts().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), boundPorts(), "the range is free before the test");
    }

    private static void awaitUnmatched(NettyMediaRelay relay, long expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (relay.unmatchedSharedPackets() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, relay.unmatchedSharedPackets());
    }

    private static int port(String sdp) {
        Matcher m = MEDIA_PORT.matcher(sdp);
        assertTrue(m.find(), sdp);
        return Integer.parseInt(m.group(1));
    }
}
