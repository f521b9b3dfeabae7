package org.wabridge.media.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MediaStats;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;
import org.wabridge.media.e2e.UdpPeer.Received;
import org.wabridge.media.rtp.Rtp;

/**
 * The relay against an independent SRTP implementation: rtpengine does SDES SRTP on the side facing
 * our Meta leg and plain RTP toward a socket that stands in for Meta's media. What the stand-in
 * receives was authenticated and decrypted by rtpengine; what the PBX socket receives was
 * encrypted by rtpengine and decrypted by us.
 */
class RtpengineEndToEndTest {

    private static Rtpengine rtpengine;
    private static NettyMediaRelay relay;

    private record Event(Leg leg, Duration silentFor) {}

    @BeforeAll
    static void start() throws Exception {
        rtpengine = Rtpengine.start();
        relay = new NettyMediaRelay(TestSettings.loopback(31200, 31399));
    }

    @AfterAll
    static void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    @Test
    @Timeout(30)
    void userInitiatedCallCarriesAudioBothWaysAndDtmfAndHeldPbxMediaArrivesLate() throws Exception {
        userInitiatedCall(relay, "e2e-user", false);
    }

    /** The same call on media.sharedPorts: the PBX on the port all calls share, rtpengine on the call's own. */
    @Test
    @Timeout(30)
    void theSameCallOnSharedPorts() throws Exception {
        try (NettyMediaRelay shared = new NettyMediaRelay(TestSettings.loopback(31720, 31739).withSharedPorts(true))) {
            userInitiatedCall(shared, "e2e-user-shared", true);
            assertEquals(0, shared.unmatchedSharedPackets(), "every packet found its call");
        }
    }

    private static void userInitiatedCall(NettyMediaRelay relay, String callId, boolean sharedPorts)
            throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        try (UdpPeer meta = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open(callId, (leg, d) -> events.add(new Event(leg, d)))) {
            // Meta's offer: the stand-in offers plain RTP, rtpengine turns it into SDES SRTP toward us
            String standInOffer = plainSdp(meta.port(), "111 126",
                    "a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000", "a=fmtp:126 0-16");
            String srtpOffer = (String) rtpengine.offerAsSrtp(callId, "meta", standInOffer).get("sdp");
            assertTrue(srtpOffer.contains("a=crypto:"), srtpOffer);

            String pbxOffer = session.pbxOfferFromMetaOffer(srtpOffer);
            int relayPbxPort = mediaPort(pbxOffer);
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", relayPbxPort);

            // the PBX answers and starts playing at once, before Meta has our answer: must be held
            long pbxSsrc = 0x11112222L;
            for (int i = 0; i < 10; i++) {
                pbx.send(rtp(96, i, i * 960L, pbxSsrc, payload(1, i)), relayPbx);
                Thread.sleep(20);
            }
            String pbxAnswer = plainSdp(pbx.port(), "96 101", "a=rtpmap:96 opus/48000/2",
                    "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16");
            String metaAnswer = session.metaAnswerFromPbxAnswer(pbxAnswer);
            int relayMetaPort = mediaPort(metaAnswer);
            assertTrue(metaAnswer.contains("m=audio " + relayMetaPort + " RTP/SAVP 111 126"), metaAnswer);
            // ports per call: one block, Meta on its third port; shared: Meta on the call's own block, not the PBX's
            assertEquals(!sharedPorts, relayMetaPort == relayPbxPort + 2, metaAnswer);
            Map<String, Object> answered = rtpengine.answer(callId, "meta", "bridge", metaAnswer);
            session.startMetaLeg(); // our 200 OK is out
            int rtpenginePlainPort = mediaPort((String) answered.get("sdp"));
            InetSocketAddress toRtpengine = new InetSocketAddress("127.0.0.1", rtpenginePlainPort);

            // Meta's side starts talking; its first authenticated packet releases the held PBX audio
            for (int i = 0; i < 50; i++) {
                meta.send(rtp(111, 1000 + i, 5000 + i * 960L, 0x33334444L, payload(2, i)), toRtpengine);
                pbx.send(rtp(96, 10 + i, (10 + i) * 960L, pbxSsrc, payload(1, 10 + i)), relayPbx);
                Thread.sleep(20);
            }
            // DTMF digit 5 from the PBX: three packets, one event timestamp
            for (int i = 0; i < 3; i++) {
                byte[] event = {5, (byte) (i == 2 ? 0x8A : 0x0A), 0, (byte) (160 * (i + 1))};
                pbx.send(rtp(101, 60 + i, 60 * 960L, pbxSsrc, event), relayPbx);
            }
            // and digit 1 from Meta
            meta.send(rtp(126, 1050, 99_000L, 0x33334444L, new byte[] {1, 0x0A, 0, (byte) 160}), toRtpengine);
            Thread.sleep(600);

            List<byte[]> atMeta = rtpPackets(meta.received());
            List<byte[]> audioAtMeta = atMeta.stream().filter(p -> Rtp.payloadType(p) == 111
                    && p.length == 12 + 40).collect(Collectors.toList());
            // all 60 PBX packets arrived in order, the 10 held ones first
            assertEquals(60, audioAtMeta.size(), "PBX audio packets that reached Meta's side");
            List<Integer> order = audioAtMeta.stream().map(RtpengineEndToEndTest::probeIndex).collect(Collectors.toList());
            for (int i = 0; i < 60; i++) {
                assertEquals(i, order.get(i), "PBX packet order at Meta: " + order);
            }
            assertEquals(1, atMeta.stream().map(Rtp::ssrc).distinct().count(), "one SSRC toward Meta");
            List<byte[]> dtmfAtMeta = atMeta.stream().filter(p -> Rtp.payloadType(p) == 126).collect(Collectors.toList());
            assertEquals(3, dtmfAtMeta.size(), "DTMF packets at Meta (PT 101 rewritten to 126)");
            assertEquals(1, dtmfAtMeta.stream().map(Rtp::timestamp).distinct().count(), "one event timestamp");
            assertEquals(5, dtmfAtMeta.get(0)[12], "DTMF digit");
            assertSequenceContinuous(atMeta);

            List<byte[]> atPbx = rtpPackets(pbx.received());
            List<byte[]> audioAtPbx = atPbx.stream().filter(p -> Rtp.payloadType(p) == 96).collect(Collectors.toList());
            assertEquals(50, audioAtPbx.size(), "Meta audio packets at the PBX (PT 111 rewritten to 96)");
            assertEquals(2, audioAtPbx.get(0)[12], "probe of the Meta stream");
            List<byte[]> dtmfAtPbx = atPbx.stream().filter(p -> Rtp.payloadType(p) == 101).collect(Collectors.toList());
            assertEquals(1, dtmfAtPbx.size(), "DTMF from Meta at the PBX (PT 126 rewritten to 101)");
            assertEquals(1, dtmfAtPbx.get(0)[12], "DTMF digit from Meta");

            MediaStats stats = session.stats();
            assertEquals(0, stats.meta().authFailures(), "rtpengine's SRTP authenticated at our side");
            assertTrue(events.isEmpty(), "no media timeout in a live call: " + events);
        } finally {
            rtpengine.delete(callId);
        }
    }

    @Test
    @Timeout(70)
    void fortySecondCallKeepsMetaFedAfterThePbxStopsAndAcrossAPbxSsrcChange() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        UdpPeer[] metaPair = UdpPeer.adjacentPair(); // rtpengine sends the plain side's RTCP to port + 1
        try (UdpPeer meta = metaPair[0]; UdpPeer metaRtcp = metaPair[1]; UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open("e2e-long", (leg, d) -> events.add(new Event(leg, d)))) {
            String pbxOffer = plainSdp(pbx.port(), "96 0 101", "a=rtpmap:96 opus/48000/2",
                    "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000");
            String metaOffer = session.metaOfferFromPbxOffer(pbxOffer);
            assertTrue(metaOffer.contains("RTP/SAVP 111 126"), "opus and DTMF only, G.711 is off:\n" + metaOffer);
            String plainOffer = (String) rtpengine.offer("e2e-long", "bridge", metaOffer).get("sdp");
            int rtpenginePlainPort = mediaPort(plainOffer);
            String standInAnswer = plainSdp(meta.port(), "111 126", "a=rtpmap:111 opus/48000/2",
                    "a=rtpmap:126 telephone-event/8000");
            String srtpAnswer = (String) rtpengine.answer("e2e-long", "bridge", "meta", standInAnswer).get("sdp");
            long answeredAt = System.currentTimeMillis();
            String pbxAnswer = session.pbxAnswerFromMetaAnswer(srtpAnswer);
            session.startMetaLeg(); // Meta's 200 is ACKed
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxAnswer));
            assertTrue(pbxAnswer.contains("RTP/AVP 96 101"), pbxAnswer);

            // one second of PBX audio (SSRC A), Meta answers a little, then both go quiet. The PBX is paced by the
            // wall clock, as a real one is: sleep(20) per packet drifts on a loaded machine, and the relay rightly
            // keeps the PBX's own timestamps, so a drifting stand-in would fail the wall-clock check below
            long burstStart = System.currentTimeMillis();
            for (int i = 0; i < 50; i++) {
                pbx.send(rtp(96, 100 + i, 7_000L + i * 960L, 0xAAAA0001L, payload(1, i)), relayPbx);
                if (i < 10) {
                    meta.send(rtp(111, i, i * 960L, 0x5555L, payload(2, i)),
                            new InetSocketAddress("127.0.0.1", rtpenginePlainPort));
                }
                sleepUntil(burstStart + (i + 1) * 20L);
            }
            Thread.sleep(35_000);
            // the PBX comes back with another SSRC and another sequence/timestamp base
            burstStart = System.currentTimeMillis();
            for (int i = 0; i < 50; i++) {
                pbx.send(rtp(96, 40_000 + i, 900_000L + i * 960L, 0xBBBB0002L, payload(3, i)), relayPbx);
                sleepUntil(burstStart + (i + 1) * 20L);
            }
            long until = answeredAt + 40_500;
            Thread.sleep(Math.max(0, until - System.currentTimeMillis()));

            List<Received> received = meta.received();
            List<byte[]> atMeta = received.stream().map(Received::data)
                    .filter(p -> !Rtp.looksLikeRtcp(p, p.length)).collect(Collectors.toList());
            assertTrue(atMeta.size() > 1800, "Meta's side got a continuous stream, got " + atMeta.size());
            assertEquals(1, atMeta.stream().map(Rtp::ssrc).distinct().count(), "one SSRC toward Meta");
            assertSequenceContinuous(atMeta);
            long longestGap = 0;
            for (int i = 1; i < received.size(); i++) {
                longestGap = Math.max(longestGap, received.get(i).atMillis() - received.get(i - 1).atMillis());
            }
            assertTrue(longestGap < 5000, "longest gap at Meta's side " + longestGap + " ms");
            assertTrue(received.get(0).atMillis() - answeredAt < 1000, "first packet right after the answer");
            assertEquals(50, atMeta.stream().filter(p -> p.length == 52 && p[12] == 3).count(),
                    "audio after the SSRC change arrived");
            List<Received> rtpAtMeta = received.stream().filter(r -> !Rtp.looksLikeRtcp(r.data(), r.data().length))
                    .collect(Collectors.toList());
            assertTimestampsFollowWallClock(rtpAtMeta);

            // SRTCP sender reports every 5 s, decrypted by rtpengine (RTCP goes to port+1 there)
            long ourSsrc = Rtp.ssrc(atMeta.get(0));
            List<byte[]> reports = metaRtcp.received().stream().map(Received::data)
                    .filter(p -> (p[1] & 0xFF) == 200 && Rtp.u32(p, 4) == ourSsrc).collect(Collectors.toList());
            assertTrue(reports.size() >= 6, "sender reports seen at Meta's side: " + reports.size());

            // Meta stopped after 0.2 s: one media timeout for the Meta leg at ~30 s, none for the PBX
            assertEquals(1, events.size(), "events " + events);
            assertEquals(Leg.META, events.get(0).leg());
            assertTrue(events.get(0).silentFor().toMillis() >= 30_000);
            assertEquals(0, session.stats().meta().authFailures());
        } finally {
            rtpengine.delete("e2e-long");
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * One unbroken run of sequence numbers: no gap, no duplicate. Arrival order is not asserted: the peer in
     * between (rtpengine) may swap two packets, as any network may, while it learns a new stream.
     */
    private static void assertSequenceContinuous(List<byte[]> packets) {
        int first = Rtp.sequence(packets.get(0));
        int[] offsets = packets.stream().mapToInt(p -> (Rtp.sequence(p) - first) & 0xFFFF)
                .map(o -> o > 0x8000 ? o - 0x10000 : o).sorted().toArray();
        for (int i = 1; i < offsets.length; i++) {
            assertEquals(1, offsets[i] - offsets[i - 1], "sequence numbers must be one unbroken run: after "
                    + offsets[i - 1] + " (relative to the first received) came " + offsets[i]);
        }
    }

    private static void sleepUntil(long wallClockMillis) throws InterruptedException {
        Thread.sleep(Math.max(0, wallClockMillis - System.currentTimeMillis()));
    }

    /** Across the silence gap the timestamp advances with wall-clock time (48 kHz), not by one frame. */
    private static void assertTimestampsFollowWallClock(List<Received> packets) {
        Received first = packets.get(0);
        Received last = packets.get(packets.size() - 1);
        long elapsedSamples = (Rtp.timestamp(last.data()) - Rtp.timestamp(first.data())) & 0xFFFF_FFFFL;
        long wallClockSamples = (last.atMillis() - first.atMillis()) * 48;
        assertTrue(Math.abs(elapsedSamples - wallClockSamples) < 48_000 / 4, "timestamps advanced "
                + elapsedSamples + " samples in " + (last.atMillis() - first.atMillis()) + " ms");
    }

    private static List<byte[]> rtpPackets(List<Received> received) {
        return received.stream().map(Received::data).filter(p -> !Rtp.looksLikeRtcp(p, p.length))
                .collect(Collectors.toList());
    }

    private static byte[] rtp(int pt, int seq, long ts, long ssrc, byte[] payload) {
        return Rtp.build(pt, false, seq & 0xFFFF, ts, ssrc, payload);
    }

    /** 40 bytes: stream id, then the packet index. */
    private static byte[] payload(int stream, int index) {
        return ByteBuffer.allocate(40).put(0, (byte) stream).putInt(4, index).array();
    }

    private static int probeIndex(byte[] rtp) {
        return ByteBuffer.wrap(rtp, 12, 40).getInt(12 + 4);
    }

    private static String plainSdp(int port, String formats, String... attributes) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=test 1 1 IN IP4 127.0.0.1\r\ns=test\r\nt=0 0\r\n")
                .append("m=audio ").append(port).append(" RTP/AVP ").append(formats).append("\r\n")
                .append("c=IN IP4 127.0.0.1\r\n");
        for (String a : attributes) {
            sdp.append(a).append("\r\n");
        }
        return sdp.append("a=ptime:20\r\na=sendrecv\r\n").toString();
    }

    private static int mediaPort(String sdp) {
        Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(sdp);
        assertTrue(m.find(), "no m=audio in " + sdp);
        return Integer.parseInt(m.group(1));
    }
}
