package org.wabridge.media.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jaredmdobson.concentus.OpusDecoder;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.wabridge.config.MediaSettings;
import org.wabridge.media.SdpException;
import org.wabridge.media.TestSettings;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.sdp.LocalMedia;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;
import org.wabridge.media.transcode.Audio;
import org.wabridge.media.transcode.G711Law;
import org.wabridge.media.transcode.TranscodingBudget;

/**
 * A G.711-only PBX through the per-call state machine (no sockets, fake clock): SDP on both legs, audio both ways
 * judged by its content at the far side, DTMF, silence fill, SRTCP and the transcoding budget.
 */
class CallMediaTranscodingTest {

    private static final InetSocketAddress META = new InetSocketAddress("157.240.19.130", 3480);
    private static final InetSocketAddress PBX = new InetSocketAddress("192.0.2.10", 19534);
    private static final String PBX_G711_OFFER = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
            + "t=0 0\r\nm=audio 19534 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

    private record Sent(byte[] data, InetSocketAddress to) {}

    private final List<Sent> toMeta = new ArrayList<>();
    private final List<Sent> toPbx = new ArrayList<>();
    private final byte[] metaKey = new byte[30];
    private SrtpEndpoint meta;
    private int metaSeq = 1;

    private final List<org.wabridge.media.Leg> timeouts = new ArrayList<>();

    private CallMedia newCall(MediaSettings settings, TranscodingBudget budget) {
        new SecureRandom().nextBytes(metaKey);
        byte[] ourKey = new byte[30];
        new SecureRandom().nextBytes(ourKey);
        LocalMedia local = new LocalMedia("203.0.113.5", 40000, 40002,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, ourKey), 0x51515151L, "c", 1,
                settings.g711EnabledAtMeta());
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
        return new CallMedia(settings, "transcoded-call", local, (leg, d) -> timeouts.add(leg), sink, 100, 1000, null,
                budget);
    }

    private String metaSdp() {
        return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 3480 RTP/SAVP 111 126\r\n"
                + "c=IN IP4 157.240.19.130\r\na=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
                + Base64.getEncoder().encodeToString(metaKey) + "\r\na=rtpmap:111 opus/48000/2\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\na=ptime:20\r\n";
    }

    private void connectMeta(String sdpToMeta) throws Exception {
        Matcher m = Pattern.compile("a=crypto:(\\d+) (\\S+) inline:(\\S+)").matcher(sdpToMeta);
        assertTrue(m.find());
        CryptoAttribute ours = CryptoAttribute.parse(m.group(1) + " " + m.group(2) + " inline:" + m.group(3)).orElseThrow();
        meta = new SrtpEndpoint(new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, metaKey), ours);
    }

    private CallMedia businessCall(TranscodingBudget budget) throws Exception {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099), budget);
        String offer = call.metaOfferFromPbxOffer(PBX_G711_OFFER, 0);
        assertTrue(offer.contains("m=audio 40002 RTP/SAVP 111 126"), "Meta is offered Opus, not G.711:\n" + offer);
        connectMeta(offer);
        String answer = call.pbxAnswerFromMetaAnswer(metaSdp(), 0);
        assertTrue(answer.contains("m=audio 40000 RTP/AVP 8 101"), "the PBX gets its first G.711 law:\n" + answer);
        assertTrue(call.transcoded());
        call.startMetaLeg(0);
        return call;
    }

    private List<byte[]> rtpAtMeta() throws Exception {
        List<byte[]> rtp = new ArrayList<>();
        for (Sent s : toMeta) {
            assertEquals(META, s.to());
            if (Rtp.looksLikeRtcp(s.data(), s.data().length)) {
                continue;
            }
            PacketBuffer buf = new PacketBuffer(s.data().clone(), s.data().length);
            assertEquals(SrtpEndpoint.Verdict.OK, meta.unprotectRtp(buf));
            rtp.add(buf.toArray());
        }
        toMeta.removeIf(s -> !Rtp.looksLikeRtcp(s.data(), s.data().length));
        return rtp;
    }

    private static short[] opusAtMeta(List<byte[]> rtp) throws Exception {
        OpusDecoder decoder = new OpusDecoder(48000, 1);
        short[] pcm = new short[rtp.size() * 960];
        int at = 0;
        for (byte[] p : rtp) {
            at += decoder.decode(p, Rtp.HEADER_LENGTH, p.length - Rtp.HEADER_LENGTH, pcm, at, 960, false);
        }
        return Arrays.copyOf(pcm, at);
    }

    @Test
    void aG711OnlyPbxIsHeardAtMetaAndHearsMeta() throws Exception {
        CallMedia call = businessCall(new TranscodingBudget(1));
        rtpAtMeta(); // the maiden packet (silence)
        short[] tone = Audio.tone(1000, 8000, 0.3, 0, 8000);
        for (int f = 0; f < 50; f++) {
            byte[] p = Rtp.build(8, f == 0, 300 + f, 5000 + 160L * f, 0xABCDEF, G711Law.PCMA.encode(tone, f * 160, 160));
            call.onPbxPacket(p, p.length, PBX, false, 20L * f);
            call.tick(20L * f);
        }
        List<byte[]> atMeta = rtpAtMeta();
        assertEquals(50, atMeta.size(), "one Opus packet per PBX packet, no silence fill while the PBX talks");
        for (byte[] p : atMeta) {
            assertEquals(111, Rtp.payloadType(p));
            assertEquals(0x51515151L, Rtp.ssrc(p), "our one SSRC toward Meta");
        }
        short[] heard = opusAtMeta(atMeta);
        assertEquals(1000, Audio.dominant(heard, 9600, 24000, 48000, 500, 1000, 2000));
        assertEquals(Audio.levelDb(tone, 0, 8000), Audio.levelDb(heard, 9600, 24000), 2.0);

        // Meta -> PBX: Opus in, PCMA out at the PBX's address
        List<byte[]> fromMeta = org.wabridge.media.transcode.CallTranscoderTestAccess.metaTone(700, 0.25, 25);
        for (byte[] rtp : fromMeta) {
            Rtp.setSequence(rtp, metaSeq++);
            byte[] srtp = meta.protectRtp(rtp, rtp.length).toArray();
            call.onMetaPacket(srtp, srtp.length, META, 1000);
        }
        assertEquals(25, toPbx.size());
        short[] atPbx = new short[25 * 160];
        for (int i = 0; i < 25; i++) {
            byte[] p = toPbx.get(i).data();
            assertEquals(PBX, toPbx.get(i).to());
            assertEquals(8, Rtp.payloadType(p));
            assertEquals(160 + Rtp.HEADER_LENGTH, p.length);
            G711Law.PCMA.decode(p, Rtp.HEADER_LENGTH, 160, atPbx, i * 160);
        }
        assertEquals(700, Audio.dominant(atPbx, 1600, 2400, 8000, 500, 700, 1000, 2000));
        call.close();
    }

    @Test
    void silenceFillSrtcpAndDtmfKeepWorkingOnATranscodedCall() throws Exception {
        CallMedia call = businessCall(new TranscodingBudget(1));
        short[] tone = Audio.tone(1000, 8000, 0.3, 0, 800);
        for (int f = 0; f < 5; f++) {
            byte[] p = Rtp.build(8, false, 300 + f, 5000 + 160L * f, 0xABCDEF, G711Law.PCMA.encode(tone, f * 160, 160));
            call.onPbxPacket(p, p.length, PBX, false, 20L * f);
        }
        byte[] event = Rtp.build(101, true, 305, 5800, 0xABCDEF, new byte[] {7, 0x0A, 0, (byte) 160});
        call.onPbxPacket(event, event.length, PBX, false, 100);
        List<byte[]> talk = rtpAtMeta();
        byte[] dtmf = talk.get(talk.size() - 1);
        assertEquals(126, Rtp.payloadType(dtmf));
        assertEquals(7, dtmf[Rtp.HEADER_LENGTH], "digit 7 reaches Meta");
        byte[] lastAudio = talk.get(talk.size() - 2);
        assertEquals(960, (Rtp.timestamp(dtmf) - Rtp.timestamp(lastAudio)) & 0xFFFF_FFFFL,
                "160 ticks at 8 kHz after the last audio frame are 960 at 48 kHz");
        for (long now = 120; now <= 1500; now += 20) {
            call.tick(now);
        }
        List<byte[]> fill = rtpAtMeta();
        assertFalse(fill.isEmpty(), "silence fill after a second of PBX quiet");
        for (byte[] p : fill) {
            assertEquals(111, Rtp.payloadType(p));
            assertEquals(0x51515151L, Rtp.ssrc(p));
        }
        assertTrue(toMeta.stream().anyMatch(s -> Rtp.looksLikeRtcp(s.data(), s.data().length)), "SRTCP reports");
        call.close();
    }

    @Test
    void aTranscodedCallWhoseMetaSideFallsSilentTimesOut() throws Exception {
        CallMedia call = businessCall(new TranscodingBudget(1));
        short[] tone = Audio.tone(1000, 8000, 0.3, 0, 8000);
        for (long now = 0; now <= 31_000; now += 20) {
            int f = (int) (now / 20);
            byte[] p = Rtp.build(8, false, f & 0xFFFF, 160L * f, 0xABCDEF, G711Law.PCMA.encode(tone, (f % 50) * 160, 160));
            call.onPbxPacket(p, p.length, PBX, false, now); // the PBX talks all along, Meta never does
            call.tick(now);
        }
        assertEquals(List.of(org.wabridge.media.Leg.META), timeouts, "Meta silent for 30 s ends the call");
        call.close();
    }

    @Test
    void beyondTheBudgetTheCallIsRefusedAndAClosedCallGivesItsSlotBack() throws Exception {
        TranscodingBudget budget = new TranscodingBudget(1);
        CallMedia first = businessCall(budget);
        assertEquals(1, budget.inUse());
        CallMedia second = newCall(TestSettings.loopback(40000, 40099), budget);
        SdpException e = assertThrows(SdpException.class, () -> second.metaOfferFromPbxOffer(PBX_G711_OFFER, 0));
        assertEquals(SdpException.Problem.TRANSCODING_BUSY, e.problem());
        assertTrue(e.getMessage().contains("media.maxTranscodedCalls"), e.getMessage());
        second.close();
        assertEquals(1, budget.inUse(), "a refused call held no slot");
        first.close();
        first.close();
        assertEquals(0, budget.inUse(), "closing twice gives the slot back once");
        businessCall(budget).close();
    }

    @Test
    void transcodingOffAnswersAsBefore() {
        CallMedia call = newCall(TestSettings.loopback(40000, 40099), TranscodingBudget.OFF);
        SdpException e = assertThrows(SdpException.class, () -> call.metaOfferFromPbxOffer(PBX_G711_OFFER, 0));
        assertEquals(SdpException.Problem.UNUSABLE, e.problem());
        assertTrue(e.getMessage().contains("transcoding is off"), e.getMessage());
    }

    @Test
    void userInitiatedCallsOfferG711ToThePbxAndTranscodeWhenItPicksIt() throws Exception {
        TranscodingBudget budget = new TranscodingBudget(2);
        CallMedia call = newCall(TestSettings.loopback(40000, 40099), budget);
        String toPbxOffer = call.pbxOfferFromMetaOffer(metaSdp(), 0);
        assertTrue(toPbxOffer.contains("m=audio 40000 RTP/AVP 111 0 8 126"), toPbxOffer);
        assertEquals(0, budget.inUse(), "no slot before the PBX chose G.711");
        String toMetaAnswer = call.metaAnswerFromPbxAnswer("v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
                + "c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 19534 RTP/AVP 0 126\r\na=rtpmap:0 PCMU/8000\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\n", 0);
        assertTrue(toMetaAnswer.contains("m=audio 40002 RTP/SAVP 111 126"), toMetaAnswer);
        assertTrue(call.transcoded());
        assertEquals(1, budget.inUse());
        call.close();
        assertEquals(0, budget.inUse());

        // a PBX that answers Opus passes through and takes no slot
        CallMedia opus = newCall(TestSettings.loopback(40000, 40099), budget);
        opus.pbxOfferFromMetaOffer(metaSdp(), 0);
        opus.metaAnswerFromPbxAnswer("v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + "m=audio 19534 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n", 0);
        assertFalse(opus.transcoded());
        assertEquals(0, budget.inUse());
    }
}
