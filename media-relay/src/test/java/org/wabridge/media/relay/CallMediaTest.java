package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.wabridge.config.MediaSettings;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaStats;
import org.wabridge.media.SdpException;
import org.wabridge.media.TestSettings;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.sdp.LocalMedia;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/** The per-call state machine with a fake clock and no sockets; "Meta" decrypts with the swapped keys. */
class CallMediaTest {

    private static final InetSocketAddress META = new InetSocketAddress("157.240.19.130", 3480);
    private static final InetSocketAddress PBX_SDP = new InetSocketAddress("192.0.2.10", 19534);
    private static final InetSocketAddress PBX_REAL = new InetSocketAddress("192.0.2.10", 20000);
    private static final String PBX_OFFER = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
            + "m=audio 19534 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "a=sendrecv\r\n";

    private record Sent(byte[] data, InetSocketAddress to) {}

    private record Timeout(Leg leg, Duration silentFor) {}

    private final List<Sent> toMeta = new ArrayList<>();
    private final List<Sent> toPbx = new ArrayList<>();
    private final List<Timeout> timeouts = new ArrayList<>();
    private final byte[] metaKey = new byte[30];
    private SrtpEndpoint meta; // Meta's side: our key in, its key out
    private long metaSeq = 1;

    private CallMedia newCall(MediaSettings settings) {
        new SecureRandom().nextBytes(metaKey);
        byte[] ourKey = new byte[30];
        new SecureRandom().nextBytes(ourKey);
        LocalMedia local = new LocalMedia("203.0.113.5", 40000, 40002,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, ourKey), 0x51515151L, "c", 1,
                settings.g711EnabledAtMeta());
        PacketSink sink = new PacketSink() {
            @Override
            public void toPbx(byte[] packet, int length, InetSocketAddress to) {
                toPbx.add(new Sent(java.util.Arrays.copyOf(packet, length), to));
            }

            @Override
            public void toMeta(byte[] packet, int length, InetSocketAddress to) {
                toMeta.add(new Sent(java.util.Arrays.copyOf(packet, length), to));
            }
        };
        return new CallMedia(settings, "test-call", local, (leg, d) -> timeouts.add(new Timeout(leg, d)), sink, 100, 1000, null);
    }

    private String metaAnswer() {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 3480 RTP/SAVP 111 126\r\n"
                + "c=IN IP4 157.240.19.130\r\na=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
                + Base64.getEncoder().encodeToString(metaKey) + "\r\na=rtpmap:111 opus/48000/2\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\na=ptime:20\r\n";
    }

    private String metaOffer() {
        return metaAnswer();
    }

    private void connectMeta(String sdpToMeta) throws Exception {
        Matcher m = Pattern.compile("a=crypto:(\\d+) (\\S+) inline:(\\S+)").matcher(sdpToMeta);
        assertTrue(m.find());
        CryptoAttribute ours = CryptoAttribute.parse(m.group(1) + " " + m.group(2) + " inline:" + m.group(3)).orElseThrow();
        meta = new SrtpEndpoint(new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, metaKey), ours);
    }

    /** Business-initiated call set up and its Meta leg started at time 0, with Meta's side connected. */
    private CallMedia businessCall(MediaSettings settings) throws Exception {
        CallMedia call = newCall(settings);
        connectMeta(call.metaOfferFromPbxOffer(PBX_OFFER, 0));
        call.pbxAnswerFromMetaAnswer(metaAnswer(), 0);
        assertTrue(call.startable());
        call.startMetaLeg(0);
        return call;
    }

    private byte[] decryptAtMeta(Sent s) throws Exception {
        PacketBuffer buf = new PacketBuffer(s.data().clone(), s.data().length);
        boolean rtcp = Rtp.looksLikeRtcp(s.data(), s.data().length);
        SrtpEndpoint.Verdict v = rtcp ? meta.unprotectRtcp(buf) : meta.unprotectRtp(buf);
        assertEquals(SrtpEndpoint.Verdict.OK, v, "Meta authenticates what we send");
        assertEquals(META, s.to());
        return buf.toArray();
    }

    private final List<byte[]> plainAtMeta = new ArrayList<>();

    /** Everything sent to Meta so far, each packet decrypted once (a second time would be a replay). */
    private List<byte[]> allAtMeta() throws Exception {
        for (int i = plainAtMeta.size(); i < toMeta.size(); i++) {
            plainAtMeta.add(decryptAtMeta(toMeta.get(i)));
        }
        return plainAtMeta;
    }

    private List<byte[]> rtpAtMeta() throws Exception {
        return allAtMeta().stream().filter(p -> !Rtp.looksLikeRtcp(p, p.length)).collect(Collectors.toList());
    }

    private void fromMeta(CallMedia call, int pt, byte[] payload, long now) throws Exception {
        byte[] p = metaPacket(pt, payload);
        call.onMetaPacket(p, p.length, META, now);
    }

    private byte[] metaPacket(int pt, byte[] payload) throws Exception {
        byte[] rtp = Rtp.build(pt, false, (int) metaSeq++, metaSeq * 960, 0x77777777L, payload);
        return meta.protectRtp(rtp, rtp.length).toArray();
    }

    private static byte[] pbxPacket(int index, long ssrc) {
        byte[] payload = new byte[20];
        payload[0] = (byte) index;
        payload[1] = (byte) (index >> 8);
        return Rtp.build(96, false, 500 + index, index * 960L, ssrc, payload);
    }

    @Test
    void metaHearsUsAtOnceThenSilenceOnlyAfterOneSecondOfPbxQuiet() throws Exception {
        CallMedia call = businessCall(TestSettings.loopback(40000, 40099));
        List<byte[]> first = rtpAtMeta();
        assertEquals(1, first.size(), "one packet right at the answer");
        assertArrayEquals(new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE},
                java.util.Arrays.copyOfRange(first.get(0), 12, 15), "opus silence");
        assertEquals(111, Rtp.payloadType(first.get(0)));

        for (int t = 20; t <= 980; t += 20) {
            call.tick(t);
        }
        long rtpCount = rtpAtMeta().size();
        assertEquals(1, rtpCount, "no fill before pbxSilenceFill");
        for (int t = 1000; t < 2000; t += 20) {
            call.tick(t);
        }
        assertEquals(1 + 50, rtpAtMeta().size(), "silence every 20 ms from 1 s on");
        // the PBX talks: its audio replaces the silence
        int before = rtpAtMeta().size();
        for (int i = 0; i < 10; i++) {
            call.onPbxPacket(pbxPacket(i, 0x1234), 32, PBX_REAL, false, 2000 + i * 20L);
            call.tick(2000 + i * 20L + 10);
        }
        List<byte[]> all = rtpAtMeta();
        List<byte[]> audio = all.subList(before, all.size());
        assertEquals(10, audio.size(), "no silence while the PBX streams");
        audio.forEach(p -> assertEquals(32, p.length));
    }

    @Test
    void srtcpSenderReportsEveryFiveSecondsRegardlessOfThePbx() throws Exception {
        CallMedia call = businessCall(TestSettings.loopback(40000, 40099));
        for (int t = 0; t <= 12_000; t += 20) {
            call.tick(t);
        }
        List<byte[]> reports = allAtMeta().stream().filter(p -> Rtp.looksLikeRtcp(p, p.length))
                .collect(Collectors.toList());
        assertEquals(3, reports.size(), "at 0, 5 and 10 s");
        for (byte[] r : reports) {
            assertEquals(200, r[1] & 0xFF);
            assertEquals(0x51515151L, Rtp.u32(r, 4));
        }
        assertTrue(Rtp.u32(reports.get(2), 20) > Rtp.u32(reports.get(1), 20), "packet count grows");
    }

    @Test
    void userInitiatedPbxMediaIsHeldUntilMetaIsUpAndOverflowDropsTheOldest() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        String pbxOffer = call.pbxOfferFromMetaOffer(metaOffer(), 0);
        assertTrue(pbxOffer.contains("m=audio 40000 RTP/AVP 111 126"));
        String pbxAnswer = PBX_OFFER.replace("96 101", "96 101");
        // 151 packets before Meta is up: 2 s (100 packets) fit, the 51 oldest go
        for (int i = 0; i < 150; i++) {
            call.onPbxPacket(pbxPacket(i, 0x1234), 32, PBX_REAL, false, 10 + i);
        }
        connectMeta(call.metaAnswerFromPbxAnswer(pbxAnswer, 200));
        call.startMetaLeg(200);
        List<byte[]> maiden = rtpAtMeta();
        assertEquals(1, maiden.size(), "one silence frame at the start, the PBX's audio still held");
        assertEquals(15, maiden.get(0).length, "opus silence, not PBX audio");
        call.onPbxPacket(pbxPacket(150, 0x1234), 32, PBX_REAL, false, 210);
        assertEquals(1, toMeta.size(), "still held until Meta's side is up");
        fromMeta(call, 111, new byte[] {1, 2, 3}, 250);
        List<byte[]> released = rtpAtMeta().subList(1, rtpAtMeta().size());
        assertEquals(100, released.size(), "2 s of 20 ms packets");
        for (int i = 0; i < 100; i++) {
            byte[] p = released.get(i);
            assertEquals(51 + i, (p[12] & 0xFF) | (p[13] & 0xFF) << 8, "oldest dropped, rest in order");
            assertEquals(111, Rtp.payloadType(p), "PBX PT 96 -> Meta PT 111");
            assertEquals(1, (Rtp.sequence(p) - Rtp.sequence(i == 0 ? maiden.get(0) : released.get(i - 1))) & 0xFFFF,
                    "one sequence from the maiden packet on");
        }
        assertEquals(51, call.stats().pbx().dropped(), "overflow is counted");
    }

    @Test
    void heldMediaIsReleasedAfterTheGraceEvenIfMetaStaysQuiet() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        call.pbxOfferFromMetaOffer(metaOffer(), 0);
        call.onPbxPacket(pbxPacket(0, 1), 32, PBX_REAL, false, 10);
        connectMeta(call.metaAnswerFromPbxAnswer(PBX_OFFER, 100));
        call.startMetaLeg(100);
        call.tick(100 + CallMedia.META_READY_GRACE_MILLIS - 20);
        assertEquals(0, rtpAtMeta().stream().filter(p -> p.length == 32).count());
        call.tick(100 + CallMedia.META_READY_GRACE_MILLIS);
        assertEquals(1, rtpAtMeta().stream().filter(p -> p.length == 32).count());
    }

    @Test
    void userInitiatedGraceCountsFromTheStartNotFromTheAnswer() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        call.pbxOfferFromMetaOffer(metaOffer(), 0);
        call.onPbxPacket(pbxPacket(0, 1), 32, PBX_REAL, false, 10);
        connectMeta(call.metaAnswerFromPbxAnswer(PBX_OFFER, 100));
        for (int t = 120; t <= 1000; t += 20) {
            call.tick(t); // answered at 100 but not started: a grace counted from the answer would end at 600
        }
        assertEquals(0, toMeta.size());
        call.startMetaLeg(1000);
        call.tick(1000 + CallMedia.META_READY_GRACE_MILLIS - 20);
        assertEquals(0, rtpAtMeta().stream().filter(p -> p.length == 32).count(), "held 500 ms after the start");
        call.tick(1000 + CallMedia.META_READY_GRACE_MILLIS);
        assertEquals(1, rtpAtMeta().stream().filter(p -> p.length == 32).count(), "released 500 ms after the start");
    }

    @Test
    void userInitiatedNothingReachesMetaBeforeTheStartWhateverArrives() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        call.pbxOfferFromMetaOffer(metaOffer(), 0);
        // the PBX rings with early media for 5 s; the clock ticks past the silence fill and the RTCP interval
        for (int t = 0; t < 5000; t += 20) {
            call.tick(t);
            call.onPbxPacket(pbxPacket(t / 20, 0x1234), 32, PBX_REAL, false, t + 5);
        }
        assertEquals(0, toMeta.size(), "nothing toward Meta while the PBX rings");
        connectMeta(call.metaAnswerFromPbxAnswer(PBX_OFFER, 5000)); // our 200 OK is being sent
        for (int t = 5000; t < 5200; t += 20) {
            call.tick(t);
            call.onPbxPacket(pbxPacket(250 + (t - 5000) / 20, 0x1234), 32, PBX_REAL, false, t + 5);
        }
        assertEquals(0, toMeta.size(), "nothing toward Meta between the answer and the start");

        call.startMetaLeg(5200);
        List<byte[]> atMeta = rtpAtMeta();
        assertEquals(1, toMeta.size(), "the maiden packet right at the start");
        assertEquals(111, Rtp.payloadType(atMeta.get(0)));
        assertArrayEquals(new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE},
                java.util.Arrays.copyOfRange(atMeta.get(0), 12, 15), "one opus silence frame (PBX audio is held)");
        call.startMetaLeg(5210);
        assertEquals(1, toMeta.size(), "a second start changes nothing");
        fromMeta(call, 111, new byte[] {1}, 5230); // Meta's side is up: the held audio follows in order
        List<byte[]> released = rtpAtMeta().subList(1, rtpAtMeta().size());
        assertEquals(100, released.size(), "the prebuffer's 2 s");
        for (int i = 0; i < released.size(); i++) {
            assertEquals(160 + i, (released.get(i)[12] & 0xFF) | (released.get(i)[13] & 0xFF) << 8,
                    "the newest 2 s of the PBX's audio, in order");
        }
    }

    @Test
    void metaMediaReadBeforeTheStartRanIsRelayedAndReleasesTheHeldAudioAtTheStart() throws Exception {
        // the start is posted to the event loop; Meta's first packet can be read just before it runs
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        call.pbxOfferFromMetaOffer(metaOffer(), 0);
        for (int i = 0; i < 5; i++) {
            call.onPbxPacket(pbxPacket(i, 0x1234), 32, PBX_REAL, false, 10 + i * 20L);
        }
        connectMeta(call.metaAnswerFromPbxAnswer(PBX_OFFER, 200));
        fromMeta(call, 111, new byte[] {7}, 201);
        assertEquals(1, toPbx.size(), "Meta's packet reaches the PBX, whose answer we already have");
        assertEquals(0, toMeta.size(), "and still nothing goes toward Meta before the start");
        assertEquals(0, call.stats().meta().dropped());

        call.startMetaLeg(202);
        List<byte[]> atMeta = rtpAtMeta();
        assertEquals(5, atMeta.size(), "Meta's side is known to be up: the held audio leaves at once, no grace");
        for (int i = 0; i < 5; i++) {
            assertEquals(i, atMeta.get(i)[12], "in the order the PBX sent it");
        }
    }

    @Test
    void metaPacketsBeforeTheSdpExchangeCompletesAreDropped() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        connectMeta(call.metaOfferFromPbxOffer(PBX_OFFER, 0)); // Meta has not answered: no keys for its side
        fromMeta(call, 111, new byte[] {7}, 10);
        assertTrue(toPbx.isEmpty());
        assertEquals(1, call.stats().meta().dropped(), "counted as dropped");
    }

    @Test
    void businessNothingReachesMetaBeforeTheStartThenTheHeldAudioIsTheMaidenPacket() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        connectMeta(call.metaOfferFromPbxOffer(PBX_OFFER, 0));
        for (int i = 0; i < 10; i++) {
            call.onPbxPacket(pbxPacket(i, 0x1234), 32, PBX_REAL, false, 100 + i * 20L); // early media
        }
        call.pbxAnswerFromMetaAnswer(metaAnswer(), 300); // Meta's 200; our ACK not yet out
        for (int t = 300; t <= 7000; t += 20) {
            call.tick(t);
        }
        assertEquals(0, toMeta.size(), "no silence, no SRTCP and no PBX audio before the start");

        call.startMetaLeg(7000);
        List<byte[]> atMeta = rtpAtMeta();
        assertEquals(10, atMeta.size(), "the held audio leaves at the start, nothing before it");
        for (int i = 0; i < 10; i++) {
            assertEquals(32, atMeta.get(i).length, "PBX audio, no silence frame first");
            assertEquals(i, atMeta.get(i)[12], "in the order the PBX sent it");
        }
        call.tick(7020);
        assertTrue(allAtMeta().stream().anyMatch(p -> Rtp.looksLikeRtcp(p, p.length)), "SRTCP from the start");
    }

    @Test
    void startBeforeTheMetaSideIsNegotiatedIsRefusedAndAClosedCallStartsNothing() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        IllegalStateException early = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                call::startable);
        assertTrue(early.getMessage().contains("SDP exchange"), early.getMessage());
        call.pbxOfferFromMetaOffer(metaOffer(), 0);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, call::startable,
                "Meta's offer alone is not a complete exchange: our answer is missing");
        call.startMetaLeg(10); // defensive no-op on the loop
        call.tick(20);
        assertEquals(0, toMeta.size());
        call.metaAnswerFromPbxAnswer(PBX_OFFER, 30);
        assertTrue(call.startable());
        call.close();
        assertEquals(false, call.startable(), "closed: nothing to start");
        call.startMetaLeg(40);
        call.tick(60);
        assertEquals(0, toMeta.size(), "a closed call sends nothing");
    }

    @Test
    void aPbxThatAskedForOurOfferGetsMetaAudioWhereItsAnswerSaysAndOurVersionMovesWithOurSdp() throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099));
        connectMeta(call.metaOfferFromPbxOffer(PBX_OFFER, 0));
        String first = call.pbxAnswerFromMetaAnswer(metaAnswer(), 0);
        call.startMetaLeg(0);
        call.onPbxPacket(pbxPacket(0, 1), 32, PBX_REAL, false, 10);
        fromMeta(call, 111, new byte[] {1}, 20);
        assertEquals(PBX_REAL, toPbx.get(0).to(), "latched");

        String g729 = PBX_OFFER.replace("m=audio 19534 RTP/AVP 96 101", "m=audio 30000 RTP/AVP 18")
                .replace("a=rtpmap:96 opus/48000/2", "a=rtpmap:18 G729/8000");
        call.pbxRefreshOffer(25);
        assertThrows(SdpException.class, () -> call.pbxRefreshAnswer(g729, 26), "an answer without our codecs");
        assertThrows(IllegalStateException.class, () -> call.pbxRefreshAnswer(PBX_OFFER, 27),
                "the refused answer used up the offer");

        String offer = call.pbxRefreshOffer(30);
        assertTrue(offer.contains("m=audio 40000 RTP/AVP 96 101\r\n") && offer.contains("a=sendrecv"), offer);
        assertEquals(origin(first), origin(offer), "the same SDP as our answer: the same o= version");
        fromMeta(call, 111, new byte[] {2}, 40);
        assertEquals(PBX_REAL, toPbx.get(1).to(), "a refused answer, and until the next one, media goes where it went");

        InetSocketAddress moved = new InetSocketAddress("192.0.2.10", 30000);
        call.pbxRefreshAnswer(PBX_OFFER.replace("m=audio 19534", "m=audio 30000"), 50);
        fromMeta(call, 111, new byte[] {3}, 60);
        assertEquals(moved, toPbx.get(2).to(), "the answer moved the PBX's media: its new SDP address");
        call.onPbxPacket(pbxPacket(1, 1), 32, new InetSocketAddress("192.0.2.10", 30002), false, 70);
        fromMeta(call, 111, new byte[] {4}, 80);
        assertEquals(30002, toPbx.get(3).to().getPort(), "and latched again to where it really sends from");

        String hold = call.pbxReoffer(PBX_OFFER.replace("a=sendrecv", "a=sendonly"), 90);
        assertTrue(hold.contains("a=recvonly"), hold);
        assertEquals(origin(first).replace(" 1 IN ", " 2 IN "), origin(hold), "a changed SDP: the next version");
        assertEquals(origin(hold).replace(" 2 IN ", " 3 IN "), origin(call.pbxRefreshOffer(100)),
                "back to sendrecv is a change again");
        assertThrows(IllegalStateException.class, () -> newCall(TestSettings.loopback(40000, 40099))
                .pbxRefreshAnswer(PBX_OFFER, 0), "an answer without our offer is a bug in the caller");
    }

    private static String origin(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("o=")).findFirst().orElseThrow();
    }

    @Test
    void metaAudioGoesToWherePbxReallySendsFromWithItsPayloadType() throws Exception {
        CallMedia call = businessCall(TestSettings.loopback(40000, 40099));
        fromMeta(call, 111, new byte[] {9, 9}, 10);
        assertEquals(PBX_SDP, toPbx.get(0).to(), "before the PBX sends: its SDP address");
        assertEquals(96, Rtp.payloadType(toPbx.get(0).data()), "Meta PT 111 -> PBX PT 96");
        call.onPbxPacket(pbxPacket(0, 1), 32, PBX_REAL, false, 20);
        fromMeta(call, 126, new byte[] {1, 0, 0, (byte) 160}, 30);
        assertEquals(PBX_REAL, toPbx.get(1).to(), "latched to the real source");
        assertEquals(101, Rtp.payloadType(toPbx.get(1).data()), "telephone-event 126 -> 101");
        MediaStats stats = call.stats();
        assertEquals(2, stats.meta().packetsIn());
        assertEquals(2, stats.pbx().packetsOut());
    }

    @Test
    void badPacketsAreDroppedCountedAndNeverForwarded() throws Exception {
        CallMedia call = businessCall(TestSettings.loopback(40000, 40099));
        int sentToMeta = toMeta.size();
        call.onPbxPacket(new byte[5], 5, PBX_REAL, false, 1);                         // truncated
        byte[] v1 = pbxPacket(1, 1);
        v1[0] = 0x40;
        call.onPbxPacket(v1, v1.length, PBX_REAL, false, 2);                           // version 1
        call.onPbxPacket(new byte[] {(byte) 0x80, (byte) 200, 0, 9, 0, 0, 0, 1}, 8, PBX_REAL, true, 3); // bad RTCP
        assertEquals(3, call.stats().pbx().dropped());
        assertEquals(sentToMeta, toMeta.size());

        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger callMediaLog = (Logger) LoggerFactory.getLogger(CallMedia.class);
        callMediaLog.addAppender(log);
        byte[] good = metaPacket(111, new byte[] {1});
        call.onMetaPacket(good.clone(), good.length, new InetSocketAddress("198.51.100.7", 3480), 4); // stranger
        byte[] forged = good.clone();
        forged[13] ^= 0x55;
        call.onMetaPacket(forged, forged.length, META, 5);                             // auth failure
        call.onMetaPacket(good.clone(), good.length, META, 6);                         // accepted
        call.onMetaPacket(good.clone(), good.length, META, 7);                         // replay
        call.onMetaPacket(new byte[] {(byte) 0x80, (byte) 200, 0, 1}, 4, META, 8);     // runt RTCP
        byte[] rtcpGarbage = new byte[30];
        rtcpGarbage[0] = (byte) 0x80;
        rtcpGarbage[1] = (byte) 200;
        call.onMetaPacket(rtcpGarbage, rtcpGarbage.length, META, 9);                   // SRTCP auth failure
        callMediaLog.detachAppender(log); // before any assertion, so a failing one leaves the logger as it was
        MediaStats.LegStats m = call.stats().meta();
        assertEquals(5, m.dropped());
        assertEquals(2, m.authFailures());
        assertEquals(1, m.packetsIn());
        assertEquals(1, toPbx.size(), "only the authentic packet reached the PBX");
        List<String> authLines = log.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.contains("failed authentication")).toList();
        assertEquals(1, authLines.size(), "the first failure is logged, the second only counted: " + authLines);
        assertTrue(authLines.get(0).contains("an SRTP packet from " + META) && authLines.get(0).contains(
                "sequence " + Rtp.sequence(forged)) && authLines.get(0).contains("SSRC " + Long.toHexString(
                Rtp.ssrc(forged))), authLines.get(0));
    }

    @Test
    void mediaTimeoutsFireOnceAndHoldUsesTheHoldTimeout() throws Exception {
        MediaSettings base = TestSettings.loopback(40000, 40099);
        MediaSettings shortHold = new MediaSettings(base.mode(), base.bindAddress(), base.publicAddress(), 40000,
                40099, false, base.pbxSilenceFill(), base.prebuffer(), base.rtcpInterval(), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        CallMedia call = businessCall(shortHold);
        for (int t = 0; t < 29_000; t += 20) {
            call.tick(t);
            if (t % 1000 == 0) {
                call.onPbxPacket(pbxPacket(t / 1000, 1), 32, PBX_REAL, false, t);
            }
        }
        assertTrue(timeouts.isEmpty());
        for (int t = 29_000; t < 40_000; t += 20) {
            call.tick(t);
        }
        assertEquals(1, timeouts.size(), "reported once: " + timeouts);
        assertEquals(Leg.META, timeouts.get(0).leg());
        assertEquals(30_000, timeouts.get(0).silentFor().toMillis());

        timeouts.clear();
        CallMedia held = businessCall(shortHold);
        held.pbxReoffer(PBX_OFFER.replace("a=sendrecv", "a=sendonly"), 1000);
        for (int t = 1000; t < 12_000; t += 20) {
            held.tick(t);
            fromMeta(held, 111, new byte[] {1}, t);
        }
        assertEquals(1, timeouts.size(), "hold timeout: " + timeouts);
        assertEquals(Leg.PBX, timeouts.get(0).leg());
        assertEquals(10_000, timeouts.get(0).silentFor().toMillis());
        assertTrue(toPbx.isEmpty(), "Meta's audio is not sent to a PBX that holds (sendonly)");
    }

    @Test
    void silenceFollowsTheCodecThePbxChose() throws Exception {
        CallMedia call = newCall(TestSettings.withG711(TestSettings.loopback(40000, 40099)));
        String metaOffer = metaOffer().replace("RTP/SAVP 111 126", "RTP/SAVP 111 0 126") + "a=rtpmap:0 PCMU/8000\r\n";
        call.pbxOfferFromMetaOffer(metaOffer, 0);
        String pcmuAnswer = PBX_OFFER.replace("96 101", "0 101").replace("a=rtpmap:96 opus/48000/2", "a=rtpmap:0 PCMU/8000");
        String toMeta = call.metaAnswerFromPbxAnswer(pcmuAnswer, 100);
        assertTrue(toMeta.contains("m=audio 40002 RTP/SAVP 0 126"), toMeta);
        connectMeta(toMeta);
        call.startMetaLeg(100);
        for (int t = 120; t <= 1200; t += 20) {
            call.tick(t);
        }
        List<byte[]> rtp = rtpAtMeta();
        byte[] last = rtp.get(rtp.size() - 1);
        assertEquals(0, Rtp.payloadType(last), "PCMU silence, as answered to Meta");
        assertEquals(12 + 160, last.length);
        assertEquals((byte) 0xFF, last[12 + 80]);
    }
}
