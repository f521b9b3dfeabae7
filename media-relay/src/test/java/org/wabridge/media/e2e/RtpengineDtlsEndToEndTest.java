package org.wabridge.media.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;
import org.wabridge.media.dtls.DtlsSettings;
import org.wabridge.media.e2e.UdpPeer.Received;
import org.wabridge.media.ice.IceCredentials;
import org.wabridge.media.ice.IceTiming;
import org.wabridge.media.ice.StunCodec;
import org.wabridge.media.keying.KeyingSettings;
import org.wabridge.media.rtp.Rtp;

/**
 * The relay's DTLS-SRTP mode against independent peers. rtpengine plays Meta: an ICE-lite agent with one host
 * candidate and a DTLS-SRTP endpoint on the side facing our Meta port, plain RTP toward a socket that stands in
 * for the WhatsApp client's media. What the stand-in receives was decrypted and authenticated by rtpengine with
 * keys from a DTLS handshake with us; what the PBX socket receives was encrypted by rtpengine and decrypted by us.
 * Failures use peers written here: a candidate that never answers ICE, a fingerprint that does not match
 * rtpengine's certificate, and an ICE-lite responder that drops DTLS.
 *
 * <p>Own relay port range (not the SDES end-to-end test's); rtpengine's ng port is shared with it (the helper
 * waits for the port, so the two classes never talk to each other's rtpengine).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RtpengineDtlsEndToEndTest {

    /** Shortened so that the failure tests finish quickly (defaults: 10 s each). */
    static final Duration ICE_TIMEOUT = Duration.ofMillis(1500);
    static final Duration DTLS_TIMEOUT = Duration.ofMillis(1500);
    /** Scheduling slack on a shared two-core machine. */
    static final long SLACK_MS = 1500;
    /** Start of the Meta leg to the first packet at the stand-in, on loopback. */
    static final long FIRST_PACKET_BOUND_MS = 2000;

    static Rtpengine rtpengine;
    static NettyMediaRelay relay;

    /** The relay under test: ports per call here, shared PBX ports in {@link RtpengineDtlsSharedPortsTest}. */
    MediaSettings relaySettings() {
        return TestSettings.loopback(31400, 31599);
    }

    @BeforeAll
    void start() throws Exception {
        rtpengine = Rtpengine.start();
        relay = new NettyMediaRelay(relaySettings(), new KeyingSettings(
                IceTiming.DEFAULT.withCompletionTimeout(ICE_TIMEOUT),
                DtlsSettings.defaults().withHandshakeTimeout(DTLS_TIMEOUT)));
    }

    @AfterAll
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (rtpengine != null) {
            rtpengine.close();
        }
    }

    // ------------------------------------------------------------------ calls that carry media

    @Test
    @Timeout(30)
    void userInitiatedDtlsCallKeysWithRtpengineAndCarriesHeldAndLiveAudioBothWays() throws Exception {
        String callId = "dtls-user";
        Events events = new Events();
        try (UdpPeer meta = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open(callId, SrtpKeyExchange.SDES, events)) {
            // Meta's DTLS offer: whatever keying the call was opened with, the answer follows it
            String dtlsOffer = (String) rtpengine.offerAsDtls(callId, "meta", plainSdp(meta.port())).get("sdp");
            assertMetaLikeOffer(dtlsOffer);

            String pbxOffer = session.pbxOfferFromMetaOffer(dtlsOffer);
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxOffer));
            long pbxSsrc = 0x11112222L;
            for (int i = 0; i < 10; i++) { // before Meta has our answer: must be held until the keys exist
                pbx.send(rtp(96, i, i * 960L, pbxSsrc, payload(1, i)), relayPbx);
                Thread.sleep(20);
            }
            String metaAnswer = session.metaAnswerFromPbxAnswer(plainSdp(pbx.port(), "96 101",
                    "a=rtpmap:96 opus/48000/2", "a=rtpmap:101 telephone-event/8000"));
            int metaPort = mediaPort(metaAnswer);
            assertOurDtlsSdp(metaAnswer, metaPort, "active");
            assertFalse(metaAnswer.contains("a=crypto:"), metaAnswer);
            String toStandIn = (String) rtpengine.answer(callId, "meta", "bridge", metaAnswer).get("sdp");
            InetSocketAddress toRtpengine = new InetSocketAddress("127.0.0.1", mediaPort(toStandIn));

            Flow flow = runCall(session, events, meta, pbx, relayPbx, pbxSsrc, toRtpengine);
            assertCallCarriedMedia(callId, session, events, meta, pbx, metaPort, flow, "client");
        } finally {
            rtpengine.delete(callId);
        }
        assertSessionsReleased();
    }

    @Test
    @Timeout(30)
    void businessInitiatedDtlsCallAgainstAPassiveIceLiteAnswerCarriesAudioBothWays() throws Exception {
        businessInitiatedCall("dtls-biz-passive", "passive", "client");
    }

    @Test
    @Timeout(30)
    void businessInitiatedDtlsCallAgainstAnActiveAnswerMakesUsTheDtlsServer() throws Exception {
        businessInitiatedCall("dtls-biz-active", "active", "server");
    }

    private void businessInitiatedCall(String callId, String rtpengineSetup, String ourRole) throws Exception {
        Events events = new Events();
        try (UdpPeer meta = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open(callId, SrtpKeyExchange.DTLS, events)) {
            String metaOffer = session.metaOfferFromPbxOffer(plainSdp(pbx.port(), "96 0 101",
                    "a=rtpmap:96 opus/48000/2", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"));
            int metaPort = mediaPort(metaOffer);
            assertOurDtlsSdp(metaOffer, metaPort, "actpass");
            assertTrue(metaOffer.contains("a=mid:") && metaOffer.contains("a=group:BUNDLE"), metaOffer);
            assertFalse(metaOffer.contains("a=crypto:"), metaOffer);

            String plainOffer = (String) rtpengine.offerFromDtls(callId, "bridge", metaOffer).get("sdp");
            InetSocketAddress toRtpengine = new InetSocketAddress("127.0.0.1", mediaPort(plainOffer));
            String dtlsAnswer = (String) rtpengine.answerAsDtls(callId, "bridge", "meta", plainSdp(meta.port()),
                    rtpengineSetup).get("sdp");
            assertTrue(dtlsAnswer.contains("a=ice-lite") && dtlsAnswer.contains("a=setup:" + rtpengineSetup)
                    && dtlsAnswer.contains("UDP/TLS/RTP/SAVPF"), dtlsAnswer);

            String pbxAnswer = session.pbxAnswerFromMetaAnswer(dtlsAnswer);
            assertTrue(pbxAnswer.contains("RTP/AVP 96 101"), pbxAnswer);
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxAnswer));
            long pbxSsrc = 0x55556666L;
            for (int i = 0; i < 10; i++) { // the PBX talks before Meta's 200 is ACKed: held until the keys exist
                pbx.send(rtp(96, i, i * 960L, pbxSsrc, payload(1, i)), relayPbx);
                Thread.sleep(20);
            }
            Flow flow = runCall(session, events, meta, pbx, relayPbx, pbxSsrc, toRtpengine);
            assertCallCarriedMedia(callId, session, events, meta, pbx, metaPort, flow, ourRole);
        } finally {
            rtpengine.delete(callId);
        }
        assertSessionsReleased();
    }

    /** What the loop of {@link #runCall} did: when the leg started, how many packets the stand-in sent. */
    private record Flow(long startMillis, int standInSent) {}

    /**
     * Starts the Meta leg, then 50 more PBX packets at 20 ms; once our first SRTP packet left (rtpengine holds its
     * keys by then) the stand-in sends 50 packets too. Then waits for the last ones to arrive.
     */
    private static Flow runCall(MediaSession session, Events events, UdpPeer meta, UdpPeer pbx,
                                InetSocketAddress relayPbx, long pbxSsrc, InetSocketAddress toRtpengine)
            throws Exception {
        long startMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        session.startMetaLeg();
        int pbxSent = 10;
        int standInSent = 0;
        long deadline = start + 5_000_000_000L;
        while ((pbxSent < 60 || standInSent < 50) && System.nanoTime() < deadline) {
            if (pbxSent < 60) {
                pbx.send(rtp(96, pbxSent, pbxSent * 960L, pbxSsrc, payload(1, pbxSent)), relayPbx);
                pbxSent++;
            }
            Long keyed = events.milestoneAt(MediaMilestone.FIRST_SRTP_SENT);
            if (keyed != null && System.nanoTime() - keyed > 60_000_000L && standInSent < 50) {
                meta.send(rtp(111, 1000 + standInSent, 5000 + standInSent * 960L, 0x33334444L,
                        payload(2, standInSent)), toRtpengine);
                standInSent++;
            }
            Thread.sleep(20);
        }
        Thread.sleep(600);
        return new Flow(startMillis, standInSent);
    }

    private static void assertCallCarriedMedia(String callId, MediaSession session, Events events, UdpPeer meta,
                                               UdpPeer pbx, int metaPort, Flow flow, String ourRole)
            throws Exception {
        String peers = "\nevents: " + events + "\nwhat left our Meta port: " + events.outgoingSummary(metaPort)
                + "\nrtpengine log:\n" + rtpengine.log();
        assertTrue(events.failures.isEmpty(), "the Meta leg failed: " + events.failures + peers);
        assertTrue(events.timeouts.isEmpty(), "media timeouts in a live call: " + events.timeouts + peers);

        // 1. the set-up steps, in order, each once
        List<MediaMilestone> order = events.milestones.stream().map(Milestone::milestone).toList();
        assertEquals(List.of(MediaMilestone.ICE_COMPLETED, MediaMilestone.DTLS_CONNECTED,
                MediaMilestone.FIRST_SRTP_SENT), order.subList(0, Math.min(3, order.size())),
                "ICE, then DTLS, then the first SRTP packet" + peers);
        assertTrue(order.contains(MediaMilestone.FIRST_SRTP_RECEIVED), "rtpengine's SRTP authenticated" + peers);
        assertEquals(order.size(), order.stream().distinct().count(), "each milestone once: " + order);
        for (int i = 1; i < 3; i++) {
            assertTrue(events.milestones.get(i).sinceStart().compareTo(events.milestones.get(i - 1).sinceStart()) >= 0,
                    "sinceStart grows with the steps: " + events.milestones);
        }

        // 2. nothing but STUN and DTLS toward Meta before the keys
        long dtlsAt = events.milestoneAt(MediaMilestone.DTLS_CONNECTED);
        List<Tapped> out = events.outgoing(metaPort);
        List<Tapped> early = out.stream().filter(t -> t.kind() == Kind.MEDIA && t.atNanos() < dtlsAt).toList();
        assertTrue(early.isEmpty(), early.size() + " RTP/RTCP packets left toward Meta before DTLS connected" + peers);
        assertTrue(out.stream().anyMatch(t -> t.kind() == Kind.STUN)
                        && out.stream().anyMatch(t -> t.kind() == Kind.DTLS),
                "ICE checks and a DTLS handshake from our Meta port" + peers);

        // 3. the PBX's audio reached the stand-in through rtpengine's SRTP decryption: held part first, in order
        List<Received> atStandIn = meta.received();
        assertFalse(atStandIn.isEmpty(), "nothing reached the stand-in through rtpengine" + peers);
        List<byte[]> rtpAtStandIn = rtpPackets(atStandIn);
        List<Integer> probes = rtpAtStandIn.stream().filter(p -> Rtp.payloadType(p) == 111 && p.length == 12 + 40)
                .map(RtpengineDtlsEndToEndTest::probeIndex).collect(Collectors.toList());
        assertEquals(60, probes.size(), "PBX audio packets decrypted by rtpengine (10 held before the start, 50 "
                + "after): " + probes + peers);
        for (int i = 0; i < 60; i++) {
            assertEquals(i, probes.get(i), "PBX packet order at the stand-in: " + probes);
        }
        assertEquals(1, rtpAtStandIn.stream().map(Rtp::ssrc).distinct().count(), "one SSRC toward Meta");
        assertSequenceContinuous(rtpAtStandIn);
        long firstMillis = atStandIn.get(0).atMillis() - flow.startMillis();
        assertTrue(firstMillis < FIRST_PACKET_BOUND_MS, "first packet at the stand-in " + firstMillis
                + " ms after the start" + peers);

        // 4. the stand-in's audio reached the PBX: rtpengine's SRTP authenticated and decrypted by us
        assertEquals(50, flow.standInSent(), "the stand-in sent once our first SRTP packet was out" + peers);
        List<byte[]> atPbx = rtpPackets(pbx.received()).stream().filter(p -> Rtp.payloadType(p) == 96).toList();
        assertEquals(50, atPbx.size(), "stand-in audio at the PBX (PT 111 rewritten to 96)" + peers);
        for (int i = 0; i < 50; i++) {
            assertEquals(2, atPbx.get(i)[12], "probe of the stand-in's stream");
        }
        assertEquals(0, session.stats().meta().authFailures(), "rtpengine's SRTP authenticated at our side");

        // 5. rtpengine's own account of this call: ICE nominated our Meta port, DTLS-SRTP negotiated with us
        List<String> rtpengineSaw = rtpengine.log().lines().filter(l -> l.contains("[" + callId + " port")
                && (l.contains("[ice]") || l.contains("[crypto]"))).toList();
        assertTrue(rtpengineSaw.stream().anyMatch(l -> l.contains("ICE negotiated: peer for component 1 is 127.0.0.1:"
                + metaPort)), "rtpengine's ICE peer must be our Meta port " + metaPort + ": " + rtpengineSaw + peers);
        assertTrue(rtpengineSaw.stream().anyMatch(l -> l.contains("DTLS-SRTP successfully negotiated using "
                + "AES_CM_128_HMAC_SHA1_80")), "rtpengine's DTLS-SRTP with us: " + rtpengineSaw + peers);
        System.out.printf("%s (we are the DTLS %s): first packet at the stand-in %d ms after startMetaLeg; "
                        + "milestones %s; %d packets at the stand-in, %d at the PBX, meta leg %s; rtpengine: %s%n",
                callId, ourRole, firstMillis, events.milestones, atStandIn.size(), atPbx.size(),
                session.stats().meta(), rtpengineSaw.stream().map(l -> l.replaceAll("^\\[[0-9.]+] ", ""))
                        .collect(Collectors.joining(" | ")));
    }

    // ------------------------------------------------------------------ failures

    @Test
    @Timeout(30)
    void aCandidateThatNeverAnswersChecksFailsIceOnceWithinTheCompletionTimeoutAndGetsOnlyStun() throws Exception {
        Events events = new Events();
        IceCredentials theirs = IceCredentials.generate();
        try (UdpPeer silent = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open("dtls-ice-silent", SrtpKeyExchange.DTLS, events)) {
            String metaOffer = handWrittenMetaOffer(silent.port(), theirs, randomFingerprint());
            String pbxOffer = session.pbxOfferFromMetaOffer(metaOffer);
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxOffer));
            String metaAnswer = session.metaAnswerFromPbxAnswer(plainSdp(pbx.port(), "96",
                    "a=rtpmap:96 opus/48000/2"));
            String ourUfrag = attribute(metaAnswer, "ice-ufrag");
            for (int i = 0; i < 5; i++) { // PBX audio that must never reach the silent peer
                pbx.send(rtp(96, i, i * 960L, 0x7777L, payload(1, i)), relayPbx);
            }
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            session.startMetaLeg();
            MetaLegFailure failure = events.awaitFailure(ICE_TIMEOUT.toMillis() + SLACK_MS);
            long failedAfter = (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(1000); // a second report or late packets would show now
            String seen = "\nevents: " + events + "\nat the silent peer: " + summary(silent.received());
            assertTrue(failure != null, "no metaLegFailed within " + (ICE_TIMEOUT.toMillis() + SLACK_MS) + " ms"
                    + seen);
            assertEquals(MetaLegFailure.Kind.ICE_FAILED, failure.kind(), seen);
            assertEquals(1, events.failures.size(), "exactly one failure report" + seen);
            assertTrue(failedAfter >= ICE_TIMEOUT.toMillis() - 100, "ICE gave up after " + failedAfter
                    + " ms, before its completion timeout of " + ICE_TIMEOUT.toMillis() + " ms" + seen);
            assertTrue(events.milestones.isEmpty(), "no set-up step was reached" + seen);

            List<Received> atPeer = silent.received();
            assertFalse(atPeer.isEmpty(), "no connectivity check reached the candidate" + seen);
            for (Received r : atPeer) {
                byte[] d = r.data();
                assertTrue(StunCodec.isStun(d, 0, d.length), "only STUN toward a peer without ICE success" + seen);
                Message m = StunCodec.decode(d, 0, d.length);
                assertEquals(Message.BINDING_REQUEST, m.getMessageType(), seen);
                assertEquals(theirs.ufrag() + ":" + ourUfrag, new String(((UsernameAttribute)
                        m.getAttribute(Attribute.USERNAME)).getUsername(), StandardCharsets.UTF_8));
                assertEquals(StunCodec.Integrity.VALID, StunCodec.checkIntegrity(d, 0, d.length, theirs.key()),
                        "checks keyed with the peer's ice-pwd");
            }
            long failedAtMillis = startMillis + failedAfter;
            assertTrue(atPeer.stream().noneMatch(r -> r.atMillis() > failedAtMillis + 200),
                    "checks continued after ICE failed" + seen);
            System.out.printf("ICE toward a silent candidate: ICE_FAILED after %d ms (timeout %d ms), %d checks "
                    + "sent, failure '%s'%n", failedAfter, ICE_TIMEOUT.toMillis(), atPeer.size(), failure);
        }
        assertSessionsReleased();
    }

    @Test
    @Timeout(30)
    void aFingerprintThatDoesNotMatchRtpenginesCertificateFailsTheLegAndNoSrtpLeaves() throws Exception {
        String callId = "dtls-bad-fingerprint";
        Events events = new Events();
        try (UdpPeer meta = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open(callId, SrtpKeyExchange.DTLS, events)) {
            String realOffer = (String) rtpengine.offerAsDtls(callId, "meta", plainSdp(meta.port())).get("sdp");
            String fingerprint = attribute(realOffer, "fingerprint");
            String altered = fingerprint.substring(0, fingerprint.length() - 2)
                    + (fingerprint.endsWith("00") ? "01" : "00");
            String metaOffer = realOffer.replace("a=fingerprint:" + fingerprint, "a=fingerprint:" + altered);
            assertFalse(metaOffer.equals(realOffer));

            String pbxOffer = session.pbxOfferFromMetaOffer(metaOffer);
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxOffer));
            String metaAnswer = session.metaAnswerFromPbxAnswer(plainSdp(pbx.port(), "96",
                    "a=rtpmap:96 opus/48000/2"));
            int metaPort = mediaPort(metaAnswer);
            rtpengine.answer(callId, "meta", "bridge", metaAnswer);
            for (int i = 0; i < 5; i++) {
                pbx.send(rtp(96, i, i * 960L, 0x7777L, payload(1, i)), relayPbx);
            }
            long start = System.nanoTime();
            session.startMetaLeg();
            MetaLegFailure failure = events.awaitFailure(ICE_TIMEOUT.toMillis() + DTLS_TIMEOUT.toMillis() + SLACK_MS);
            long failedAfter = (System.nanoTime() - start) / 1_000_000;
            for (int i = 5; i < 25; i++) { // the PBX keeps talking: none of it may leave toward Meta
                pbx.send(rtp(96, i, i * 960L, 0x7777L, payload(1, i)), relayPbx);
                Thread.sleep(20);
            }
            String seen = "\nevents: " + events + "\nwhat left our Meta port: " + events.outgoingSummary(metaPort)
                    + "\nat the stand-in: " + summary(meta.received()) + "\nrtpengine log:\n" + rtpengine.log();
            assertTrue(failure != null, "no metaLegFailed" + seen);
            assertEquals(MetaLegFailure.Kind.FINGERPRINT_MISMATCH, failure.kind(), seen);
            assertEquals(1, events.failures.size(), seen);
            List<MediaMilestone> steps = events.milestones.stream().map(Milestone::milestone).toList();
            assertEquals(List.of(MediaMilestone.ICE_COMPLETED), steps, "ICE succeeded, DTLS did not" + seen);
            assertTrue(events.outgoing(metaPort).stream().noneMatch(t -> t.kind() == Kind.MEDIA),
                    "no SRTP/SRTCP left toward Meta" + seen);
            assertTrue(meta.received().isEmpty(), "rtpengine had no keys: nothing reached the stand-in" + seen);
            System.out.printf("wrong fingerprint: %s after %d ms; our Meta port sent %s%n", failure, failedAfter,
                    events.outgoingSummary(metaPort));
        } finally {
            rtpengine.delete(callId);
        }
        assertSessionsReleased();
    }

    @Test
    @Timeout(30)
    void anIceLitePeerThatDropsDtlsTimesTheHandshakeOut() throws Exception {
        Events events = new Events();
        IceCredentials theirs = IceCredentials.generate();
        try (LiteResponder lite = new LiteResponder(theirs); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open("dtls-silent-handshake", SrtpKeyExchange.DTLS, events)) {
            String metaOffer = handWrittenMetaOffer(lite.port(), theirs, randomFingerprint());
            String pbxOffer = session.pbxOfferFromMetaOffer(metaOffer);
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxOffer));
            session.metaAnswerFromPbxAnswer(plainSdp(pbx.port(), "96", "a=rtpmap:96 opus/48000/2"));
            for (int i = 0; i < 5; i++) {
                pbx.send(rtp(96, i, i * 960L, 0x7777L, payload(1, i)), relayPbx);
            }
            long start = System.nanoTime();
            session.startMetaLeg();
            MetaLegFailure failure = events.awaitFailure(ICE_TIMEOUT.toMillis() + DTLS_TIMEOUT.toMillis() + SLACK_MS);
            long failedAfter = (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(500);
            String seen = "\nevents: " + events + "\nthe lite peer answered " + lite.checks.get()
                    + " checks and dropped " + lite.dropped;
            assertTrue(failure != null, "no metaLegFailed" + seen);
            assertEquals(MetaLegFailure.Kind.DTLS_TIMEOUT, failure.kind(), seen);
            assertEquals(1, events.failures.size(), seen);
            List<MediaMilestone> steps = events.milestones.stream().map(Milestone::milestone).toList();
            assertEquals(List.of(MediaMilestone.ICE_COMPLETED), steps, "ICE succeeded, DTLS did not" + seen);
            long iceMillis = events.milestones.get(0).sinceStart().toMillis();
            assertTrue(failedAfter - iceMillis >= DTLS_TIMEOUT.toMillis() - 100 && failedAfter - iceMillis
                    < DTLS_TIMEOUT.toMillis() + SLACK_MS, "DTLS gave up " + (failedAfter - iceMillis)
                    + " ms after ICE completed; its handshake timeout is " + DTLS_TIMEOUT.toMillis() + " ms" + seen);
            List<byte[]> dropped = new ArrayList<>(lite.dropped);
            assertFalse(dropped.isEmpty(), "we never sent DTLS to the nominated pair" + seen);
            assertTrue(dropped.stream().allMatch(d -> (d[0] & 0xFF) == 22),
                    "only DTLS handshake records (ClientHello and its resends), no RTP" + seen);
            System.out.printf("DTLS toward a peer that drops it: ICE_COMPLETED after %d ms, %s after %d ms "
                            + "(handshake timeout %d ms), %d DTLS records dropped by the peer%n", iceMillis, failure,
                    failedAfter, DTLS_TIMEOUT.toMillis(), dropped.size());
        }
        assertSessionsReleased();
    }

    // ------------------------------------------------------------------ helpers

    private static void assertSessionsReleased() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 3000;
        while (relay.activeSessions() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, relay.activeSessions(), "sessions still holding ports 3 s after close");
    }

    /** Meta's DTLS-mode offer as rtpengine produces it for the ng flags of {@link Rtpengine#offerAsDtls}. */
    private static void assertMetaLikeOffer(String sdp) {
        assertTrue(sdp.contains("a=ice-lite") && sdp.contains("UDP/TLS/RTP/SAVPF") && sdp.contains("a=setup:actpass")
                && sdp.contains("a=fingerprint:sha-256 ") && sdp.contains("a=rtcp-mux")
                && countLines(sdp, "a=candidate:") == 1 && !sdp.contains("a=crypto:"), sdp);
    }

    /** Our Meta-side SDP in DTLS mode: ICE credentials, one host candidate on our Meta port, fingerprint, setup. */
    private static void assertOurDtlsSdp(String sdp, int metaPort, String setup) {
        assertTrue(sdp.contains("m=audio " + metaPort + " UDP/TLS/RTP/SAVPF "), sdp);
        assertTrue(sdp.contains("a=setup:" + setup + "\r\n"), "a=setup:" + setup + " expected:\n" + sdp);
        assertTrue(Pattern.compile("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\r\n", Pattern.CASE_INSENSITIVE)
                .matcher(sdp).find(), sdp);
        assertTrue(sdp.contains("a=ice-ufrag:") && sdp.contains("a=ice-pwd:") && sdp.contains("a=rtcp-mux"), sdp);
        assertEquals(1, countLines(sdp, "a=candidate:"), "one host candidate:\n" + sdp);
        assertTrue(Pattern.compile("a=candidate:\\S+ 1 (?i:udp) \\d+ 127\\.0\\.0\\.1 " + metaPort + " typ host")
                .matcher(sdp).find(), "the candidate is the public address and our Meta port:\n" + sdp);
    }

    private static String handWrittenMetaOffer(int port, IceCredentials ice, String fingerprint) {
        return "v=0\r\no=- 1750716867913 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE audio\r\n"
                + "m=audio " + port + " UDP/TLS/RTP/SAVPF 111 126\r\nc=IN IP4 127.0.0.1\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=candidate:1 1 udp 2122260223 127.0.0.1 " + port + " typ host generation 0 network-cost 50\r\n"
                + "a=ice-ufrag:" + ice.ufrag() + "\r\na=ice-pwd:" + ice.pwd() + "\r\n"
                + "a=fingerprint:sha-256 " + fingerprint + "\r\na=setup:actpass\r\na=mid:audio\r\na=sendrecv\r\n"
                + "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
                + "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:126 telephone-event/8000\r\na=ptime:20\r\n"
                + "a=ssrc:215879358 cname:WhatsAppAudioStream1\r\n";
    }

    private static String randomFingerprint() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(b);
    }

    /**
     * One unbroken run of sequence numbers (sorted: rtpengine may swap two packets while it learns a stream, as a
     * network may).
     */
    private static void assertSequenceContinuous(List<byte[]> packets) {
        int first = Rtp.sequence(packets.get(0));
        int[] offsets = packets.stream().mapToInt(p -> {
            int d = (Rtp.sequence(p) - first) & 0xFFFF;
            return d > 0x8000 ? d - 0x10000 : d;
        }).sorted().toArray();
        for (int i = 1; i < offsets.length; i++) {
            assertEquals(1, offsets[i] - offsets[i - 1], "sequence gap or duplicate toward Meta after offset "
                    + offsets[i - 1] + ": next is " + offsets[i]);
        }
    }

    private static List<byte[]> rtpPackets(List<Received> received) {
        return received.stream().map(Received::data).filter(p -> !Rtp.looksLikeRtcp(p, p.length)).toList();
    }

    private static String summary(List<Received> received) {
        Map<String, Long> kinds = received.stream().collect(Collectors.groupingBy(r -> Kind.of(r.data()).name(),
                Collectors.counting()));
        return received.size() + " datagrams " + kinds;
    }

    private static byte[] rtp(int pt, int seq, long ts, long ssrc, byte[] payload) {
        return Rtp.build(pt, false, seq & 0xFFFF, ts, ssrc, payload);
    }

    /** 40 bytes: the stream (1 PBX, 2 stand-in), then the packet index at offset 4. */
    private static byte[] payload(int stream, int index) {
        return ByteBuffer.allocate(40).put(0, (byte) stream).putInt(4, index).array();
    }

    private static int probeIndex(byte[] rtp) {
        return ByteBuffer.wrap(rtp).getInt(12 + 4);
    }

    private static String plainSdp(int port) {
        return plainSdp(port, "111 126", "a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000");
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

    private static String attribute(String sdp, String name) {
        Matcher m = Pattern.compile("a=" + name + ":([^\r\n]+)").matcher(sdp);
        assertTrue(m.find(), "no a=" + name + " in " + sdp);
        return m.group(1);
    }

    private static int countLines(String sdp, String prefix) {
        return (int) sdp.lines().filter(l -> l.startsWith(prefix)).count();
    }

    /** What a datagram on the Meta port is, by its first byte (RFC 7983). */
    enum Kind {
        STUN, DTLS, MEDIA, OTHER;

        static Kind of(byte[] d) {
            return d.length == 0 ? OTHER : of(d[0] & 0xFF);
        }

        static Kind of(int b) {
            if (b >= 0 && b <= 3) {
                return STUN;
            }
            if (b >= 20 && b <= 63) {
                return DTLS;
            }
            if (b >= 128 && b <= 191) {
                return MEDIA;
            }
            return OTHER;
        }
    }

    private record Milestone(MediaMilestone milestone, Duration sinceStart, long atNanos) {
        @Override
        public String toString() {
            return milestone + "@" + sinceStart.toMillis() + "ms";
        }
    }

    private record Tapped(InetSocketAddress from, InetSocketAddress to, Kind kind, long atNanos) {}

    /** Records what the session reports and, through the capture tap, every datagram it sends or receives. */
    private static final class Events implements MediaEvents {
        final List<Milestone> milestones = new CopyOnWriteArrayList<>();
        final List<MetaLegFailure> failures = new CopyOnWriteArrayList<>();
        final List<String> timeouts = new CopyOnWriteArrayList<>();
        final Queue<Tapped> tapped = new ConcurrentLinkedQueue<>();

        @Override
        public void mediaTimeout(Leg leg, Duration silentFor) {
            timeouts.add(leg + " silent for " + silentFor);
        }

        @Override
        public void metaLegFailed(MetaLegFailure failure) {
            failures.add(failure);
        }

        @Override
        public void milestone(MediaMilestone milestone, Duration sinceStart) {
            milestones.add(new Milestone(milestone, sinceStart, System.nanoTime()));
        }

        @Override
        public boolean capturesPackets() {
            return true;
        }

        @Override
        public void packet(InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {
            tapped.add(new Tapped(from, to, length == 0 ? Kind.OTHER : Kind.of(data[0] & 0xFF), System.nanoTime()));
        }

        Long milestoneAt(MediaMilestone m) {
            return milestones.stream().filter(x -> x.milestone() == m).map(Milestone::atNanos).findFirst().orElse(null);
        }

        MetaLegFailure awaitFailure(long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (failures.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            return failures.isEmpty() ? null : failures.get(0);
        }

        List<Tapped> outgoing(int metaPort) {
            return tapped.stream().filter(t -> t.from() != null && t.from().getPort() == metaPort).toList();
        }

        String outgoingSummary(int metaPort) {
            return outgoing(metaPort).stream().collect(Collectors.groupingBy(t -> t.kind().name(),
                    Collectors.counting())).toString();
        }

        @Override
        public String toString() {
            return "milestones " + milestones + ", failures " + failures + ", timeouts " + timeouts;
        }
    }

    /**
     * An ICE-lite peer on a loopback socket that answers every Binding request keyed with its password (from where
     * the check went, with the sender's address as XOR-MAPPED-ADDRESS) and drops everything else, the DTLS
     * handshake included.
     */
    private static final class LiteResponder implements AutoCloseable {
        final AtomicInteger checks = new AtomicInteger();
        final Queue<byte[]> dropped = new ConcurrentLinkedQueue<>();
        private final IceCredentials credentials;
        private final DatagramSocket socket;
        private final Thread reader;

        LiteResponder(IceCredentials credentials) throws IOException {
            this.credentials = credentials;
            this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            this.reader = new Thread(this::serve, "lite-responder-" + socket.getLocalPort());
            reader.setDaemon(true);
            reader.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    byte[] d = java.util.Arrays.copyOf(buf, p.getLength());
                    if (!StunCodec.isStun(d, 0, d.length)) {
                        dropped.add(d);
                        continue;
                    }
                    Message m = StunCodec.decode(d, 0, d.length);
                    if (m.getMessageType() != Message.BINDING_REQUEST || StunCodec.checkIntegrity(d, 0, d.length,
                            credentials.key()) != StunCodec.Integrity.VALID) {
                        continue;
                    }
                    InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
                    Response r = MessageFactory.createBindingResponse((Request) m,
                            new org.ice4j.TransportAddress(from.getAddress(), from.getPort(), org.ice4j.Transport.UDP));
                    r.setTransactionID(m.getTransactionID());
                    byte[] answer = StunCodec.encode(r, credentials.key());
                    socket.send(new DatagramPacket(answer, answer.length, from));
                    checks.incrementAndGet();
                } catch (Exception e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            reader.join(2000);
        }
    }
}
