package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.TestSettings;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsRole;
import org.wabridge.media.dtls.DtlsSrtpKeys;
import org.wabridge.media.ice.IceCredentials;
import org.wabridge.media.ice.IceSdp;
import org.wabridge.media.keying.MetaKeying;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.sdp.LocalMedia;
import org.wabridge.media.sdp.LocalMedia.LocalDtls;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * DTLS mode in the per-call state machine, with a scripted keying in place of ICE and the handshake: what is held
 * until the keys, what leaves at the keys, how STUN/DTLS/SRTP are told apart, and how failures surface.
 */
class CallMediaDtlsTest {

    private static final DtlsCertificate CERTIFICATE = DtlsCertificate.generate();
    /** Meta's nominated candidate: differs from its SDP address on purpose (peer-reflexive or second candidate). */
    private static final InetSocketAddress NOMINATED = new InetSocketAddress("57.144.135.36", 3482);
    private static final InetSocketAddress PBX_REAL = new InetSocketAddress("192.0.2.10", 20000);
    private static final String PBX_OFFER = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
            + "m=audio 19534 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "a=sendrecv\r\n";
    private static final String META_ANSWER = String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
            "a=ice-lite", "m=audio 3480 UDP/TLS/RTP/SAVPF 111 126", "c=IN IP4 57.144.135.35",
            "a=candidate:1 1 udp 2122260223 57.144.135.35 3480 typ host", "a=ice-ufrag:Xy7q",
            "a=ice-pwd:c2VjcmV0c2VjcmV0c2VjcmV0cw==", "a=fingerprint:" + CERTIFICATE.fingerprint().toSdpValue(),
            "a=setup:passive", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000", "");

    private record Sent(byte[] data, InetSocketAddress to) {}

    /** Stands in for ICE + DTLS: records what the call gives it, lets the test decide the outcome. */
    private static final class ScriptedKeying implements MetaKeying {
        MetaKeying.Owner owner;
        long startedAt = -1;
        int ticks;
        final List<byte[]> consumed = new ArrayList<>();
        boolean closed;

        @Override
        public void start(long now) {
            startedAt = now;
        }

        @Override
        public boolean onPacket(byte[] data, int length, InetSocketAddress from, long now) {
            int first = data[0] & 0xFF;
            if (first <= 3 || (first >= 20 && first <= 63)) {
                consumed.add(Arrays.copyOf(data, length));
                return true;
            }
            return false;
        }

        @Override
        public void tick(long now) {
            ticks++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final List<Sent> toMeta = new ArrayList<>();
    private final List<Sent> toPbx = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final ScriptedKeying keying = new ScriptedKeying();
    private final byte[] material = new byte[60];

    private CallMedia newCall() {
        new SecureRandom().nextBytes(material);
        LocalDtls dtls = new LocalDtls(new IceCredentials("ourUfrag", "ourPasswordOurPassword12"),
                IceSdp.hostCandidates(List.of(new InetSocketAddress("203.0.113.5", 40002))), CERTIFICATE.fingerprint());
        LocalMedia local = new LocalMedia("203.0.113.5", 40000, 40002,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, new byte[30]), 0x51515151L, "c", 1, false,
                SrtpKeyExchange.DTLS, dtls);
        PacketSink sink = new PacketSink() {
            @Override
            public void toPbx(byte[] packet, int length, InetSocketAddress to) {
                toPbx.add(new Sent(Arrays.copyOf(packet, length), to));
            }

            @Override
            public void toMeta(byte[] packet, int length, InetSocketAddress to) {
                toMeta.add(new Sent(Arrays.copyOf(packet, length), to));
            }
        };
        MediaEvents recorder = new MediaEvents() {
            @Override
            public void mediaTimeout(Leg leg, Duration silentFor) {
                events.add("timeout " + leg);
            }

            @Override
            public void metaLegFailed(MetaLegFailure failure) {
                events.add("failed " + failure.kind());
            }

            @Override
            public void milestone(MediaMilestone milestone, Duration sinceStart) {
                events.add(milestone + " +" + sinceStart.toMillis());
            }
        };
        return new CallMedia(TestSettings.loopback(40000, 40099), "dtls-call", local, recorder, sink, 100, 1000,
                (callId, l, remote, sdpAddress, owner) -> {
                    assertEquals(DtlsRole.CLIENT, remote.ourRole(), "Meta answered passive");
                    assertEquals(new InetSocketAddress("57.144.135.35", 3480), sdpAddress);
                    keying.owner = owner;
                    return keying;
                });
    }

    private static byte[] pbxPacket(int index) {
        byte[] payload = new byte[20];
        payload[0] = (byte) index;
        return Rtp.build(96, false, 500 + index, index * 960L, 0x1234, payload);
    }

    /** Meta's side of the handshake's keys: the server's. */
    private SrtpEndpoint metaSide() throws Exception {
        return DtlsSrtpKeys.fromKeyingMaterial(material, SrtpSuite.AES_CM_128_HMAC_SHA1_80, DtlsRole.SERVER)
                .newSrtpEndpoint();
    }

    @Test
    void pbxAudioWaitsForTheKeysThenLeavesFirstAndInOrderTowardTheNominatedAddress() throws Exception {
        CallMedia call = newCall();
        String offer = call.metaOfferFromPbxOffer(PBX_OFFER, 0);
        assertTrue(offer.contains("UDP/TLS/RTP/SAVPF"), offer);
        call.pbxAnswerFromMetaAnswer(META_ANSWER, 100);
        call.startMetaLeg(200);
        assertEquals(200, keying.startedAt, "ICE starts with the leg");
        for (int i = 0; i < 10; i++) { // the PBX talks while ICE and DTLS run
            call.onPbxPacket(pbxPacket(i), 32, PBX_REAL, false, 210 + i * 20L);
            call.tick(220 + i * 20L);
        }
        assertTrue(toMeta.isEmpty(), "no media, silence or SRTCP before the keys");
        assertTrue(keying.ticks >= 10, "the keying gets the clock");

        DtlsSrtpKeys ours = DtlsSrtpKeys.fromKeyingMaterial(material, SrtpSuite.AES_CM_128_HMAC_SHA1_80, DtlsRole.CLIENT);
        keying.owner.milestone(MediaMilestone.ICE_COMPLETED, 260);
        keying.owner.milestone(MediaMilestone.DTLS_CONNECTED, 420);
        keying.owner.keyed(ours, NOMINATED, 420);

        SrtpEndpoint meta = metaSide();
        assertEquals(10, toMeta.size(), "the held audio leaves at the keys, no silence frame before it");
        for (int i = 0; i < 10; i++) {
            Sent s = toMeta.get(i);
            assertEquals(NOMINATED, s.to(), "media goes where ICE nominated");
            PacketBuffer buf = new PacketBuffer(s.data().clone(), s.data().length);
            assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtp(buf), "Meta authenticates it with the DTLS keys");
            assertEquals(i, buf.toArray()[12], "in the order the PBX sent it");
        }
        assertEquals(List.of("ICE_COMPLETED +60", "DTLS_CONNECTED +220", "FIRST_SRTP_SENT +220"), events);

        // Meta's SRTP from the nominated address reaches the PBX; STUN and DTLS go to the keying
        byte[] rtp = Rtp.build(111, false, 1, 960, 0x77777777L, new byte[] {9, 9, 9});
        byte[] srtp = meta.protectRtp(rtp, rtp.length).toArray();
        call.onMetaPacket(srtp, srtp.length, NOMINATED, 440);
        assertEquals(1, toPbx.size());
        assertEquals(96, Rtp.payloadType(toPbx.get(0).data()), "PT rewritten for the PBX");
        byte[] stun = {0, 1, 0, 0, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        byte[] dtlsRecord = {22, (byte) 0xFE, (byte) 0xFD, 0, 0};
        call.onMetaPacket(stun, stun.length, NOMINATED, 450);
        call.onMetaPacket(dtlsRecord, dtlsRecord.length, NOMINATED, 451);
        assertEquals(2, keying.consumed.size(), "STUN and DTLS are the keying's");
        assertEquals(1, toPbx.size(), "and never reach the PBX");
        assertEquals("FIRST_SRTP_RECEIVED +240", events.get(events.size() - 1));

        call.close();
        assertTrue(keying.closed, "closing the call stops ICE and the handshake");
    }

    @Test
    void aClientHelloThatCameWithThePeersAnswerIsKeptForTheHandshake() throws Exception {
        CallMedia call = newCall();
        call.metaOfferFromPbxOffer(PBX_OFFER, 0);
        // a peer that answers active may send its ClientHello before we have even read its answer
        byte[] clientHello = {22, (byte) 0xFE, (byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        InetSocketAddress peer = new InetSocketAddress("57.144.135.35", 3480);
        call.onMetaPacket(clientHello, clientHello.length, peer, 50);
        call.pbxAnswerFromMetaAnswer(META_ANSWER, 100);
        assertTrue(keying.consumed.isEmpty(), "no keying before the start");
        for (int i = 0; i < 5; i++) { // retransmissions: only a flight's worth is kept
            call.onMetaPacket(clientHello, clientHello.length, peer, 150);
        }
        call.startMetaLeg(200);
        assertEquals(4, keying.consumed.size(), "handed to the handshake at the start");
        assertEquals(22, keying.consumed.get(0)[0]);
        assertEquals(2, call.stats().meta().dropped(), "the rest dropped and counted");
        call.onMetaPacket(clientHello, clientHello.length, peer, 300);
        assertEquals(5, keying.consumed.size(), "after the start every record goes to the keying at once");
    }

    @Test
    void srtpBeforeTheKeysIsDroppedAndAFailureIsReportedOnce() throws Exception {
        CallMedia call = newCall();
        call.metaOfferFromPbxOffer(PBX_OFFER, 0);
        call.pbxAnswerFromMetaAnswer(META_ANSWER, 100);
        call.startMetaLeg(200);
        byte[] rtp = Rtp.build(111, false, 1, 960, 0x77777777L, new byte[] {9});
        call.onMetaPacket(rtp, rtp.length, NOMINATED, 210);
        assertTrue(toPbx.isEmpty());
        assertEquals(1, call.stats().meta().dropped(), "no keys yet: dropped and counted");

        keying.owner.keyingFailed(new MetaLegFailure(MetaLegFailure.Kind.ICE_FAILED, "no answer"), 10_200);
        assertEquals(List.of("failed ICE_FAILED"), events);
        for (int t = 10_200; t < 12_000; t += 20) {
            call.tick(t);
        }
        assertTrue(toMeta.isEmpty(), "still nothing toward Meta");
        call.close();
        keying.owner.keyed(DtlsSrtpKeys.fromKeyingMaterial(material, SrtpSuite.AES_CM_128_HMAC_SHA1_80,
                DtlsRole.CLIENT), NOMINATED, 12_000);
        assertTrue(toMeta.isEmpty(), "keys after the close change nothing");
        assertNotNull(call.stats());
    }
}
