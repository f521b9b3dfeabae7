package org.wabridge.media.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.wabridge.media.MediaSession;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;
import org.wabridge.media.e2e.UdpPeer.Received;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.transcode.Audio;
import org.wabridge.media.transcode.G711Law;

/**
 * A G.711-only PBX through the real relay (sockets, event loop, SRTP) to rtpengine, an independent SRTP peer in
 * Meta's place: rtpengine decrypts what we send toward "Meta" and hands it, plain, to a stand-in that decodes the
 * Opus and listens; the stand-in's own Opus (a tone, 5 % of its packets lost on the way) is encrypted by rtpengine
 * and must reach the PBX socket as continuous G.711. Tones are judged by frequency, level and delay; DTMF by the
 * digit at the far side.
 */
class TranscodingEndToEndTest {

    private static final int FRAMES = 100;
    private static final int PBX_SILENT_FRAMES = 10;
    private static Rtpengine rtpengine;
    private static NettyMediaRelay relay;

    @BeforeAll
    static void start() throws Exception {
        rtpengine = Rtpengine.start();
        relay = new NettyMediaRelay(TestSettings.loopback(31600, 31699).withMaxTranscodedCalls(2));
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
    @Timeout(60)
    void aG711OnlyPbxTalksWithAnOpusPeerThroughRtpengineSrtp() throws Exception {
        try (UdpPeer meta = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open("e2e-transcode", (leg, d) -> { })) {
            String pbxOffer = plainSdp(pbx.port(), "0 101", "a=rtpmap:0 PCMU/8000",
                    "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16");
            String metaOffer = session.metaOfferFromPbxOffer(pbxOffer);
            assertTrue(metaOffer.contains("RTP/SAVP 111 126") && !metaOffer.contains("PCMU"),
                    "Meta is offered Opus only:\n" + metaOffer);
            String plainOffer = (String) rtpengine.offer("e2e-transcode", "bridge", metaOffer).get("sdp");
            InetSocketAddress toRtpengine = new InetSocketAddress("127.0.0.1", mediaPort(plainOffer));
            String standInAnswer = plainSdp(meta.port(), "111 126", "a=rtpmap:111 opus/48000/2",
                    "a=rtpmap:126 telephone-event/8000");
            String srtpAnswer = (String) rtpengine.answer("e2e-transcode", "bridge", "meta", standInAnswer).get("sdp");
            String pbxAnswer = session.pbxAnswerFromMetaAnswer(srtpAnswer);
            assertTrue(pbxAnswer.contains("RTP/AVP 0 101"), pbxAnswer);
            session.startMetaLeg();
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxAnswer));

            // two seconds, paced by the wall clock: the PBX plays 200 ms of silence then a 1 kHz tone (PCMU), the
            // stand-in a 700 Hz tone in Opus with in-band FEC, 5 % of it lost before rtpengine
            OpusEncoder encoder = new OpusEncoder(48000, 2, OpusApplication.OPUS_APPLICATION_VOIP);
            encoder.setBitrate(20000);
            encoder.setUseInbandFEC(true);
            encoder.setPacketLossPercent(10);
            short[] pbxTone = Audio.tone(1000, 8000, 0.3, 0, FRAMES * 160);
            Random loss = new Random(11);
            int lost = 0;
            long toneSentAt = 0;
            long begin = System.currentTimeMillis();
            for (int f = 0; f < FRAMES; f++) {
                short[] frame = f < PBX_SILENT_FRAMES ? new short[160] : Arrays.copyOfRange(pbxTone, f * 160, f * 160 + 160);
                if (f == PBX_SILENT_FRAMES) {
                    toneSentAt = System.currentTimeMillis();
                }
                pbx.send(Rtp.build(0, f == 0, 200 + f, 16_000L + 160L * f, 0xA0A0A0A0L,
                        G711Law.PCMU.encode(frame, 0, 160)), relayPbx);
                byte[] opus = opusFrame(encoder, Audio.tone(700, 48000, 0.25, f * 960, 960));
                if (f == 0 || f == FRAMES - 1 || loss.nextInt(100) >= 5) {
                    meta.send(Rtp.build(111, f == 0, 3000 + f, 90_000L + 960L * f, 0x5EE5L, opus), toRtpengine);
                } else {
                    lost++;
                }
                Thread.sleep(Math.max(0, begin + (f + 1) * 20L - System.currentTimeMillis()));
            }
            // DTMF: digit 5 from the PBX (one event, three packets), digit 9 from the stand-in
            for (int i = 0; i < 3; i++) {
                byte[] event = {5, (byte) (i == 2 ? 0x8A : 0x0A), 0, (byte) (160 * (i + 1))};
                pbx.send(Rtp.build(101, i == 0, 200 + FRAMES + i, 16_000L + 160L * FRAMES, 0xA0A0A0A0L, event),
                        relayPbx);
            }
            meta.send(Rtp.build(126, true, 3000 + FRAMES, 90_000L + 960L * FRAMES, 0x5EE5L,
                    new byte[] {9, (byte) 0x8A, 0, (byte) 160}), toRtpengine);
            Thread.sleep(700);
            assertTrue(lost >= 2, "the loss pattern lost " + lost);

            // ---- at Meta's side (decrypted by rtpengine): Opus with our one SSRC, the PBX's tone in it
            List<Received> atMeta = meta.received().stream().filter(r -> !Rtp.looksLikeRtcp(r.data(), r.data().length))
                    .collect(Collectors.toList());
            assertEquals(1, atMeta.stream().map(r -> Rtp.ssrc(r.data())).distinct().count(), "one SSRC toward Meta");
            List<Received> opusAtMeta = atMeta.stream().filter(r -> Rtp.payloadType(r.data()) == 111)
                    .sorted(Comparator.comparingInt(r -> Rtp.sequence(r.data()))).collect(Collectors.toList());
            OpusDecoder decoder = new OpusDecoder(48000, 1);
            short[] heard = new short[opusAtMeta.size() * 960];
            int at = 0;
            long toneHeardAt = -1;
            for (Received r : opusAtMeta) {
                int n = decoder.decode(r.data(), Rtp.HEADER_LENGTH, r.data().length - Rtp.HEADER_LENGTH, heard, at,
                        960, false);
                if (toneHeardAt < 0 && n > 0 && Audio.levelDb(heard, at, n) > -30) {
                    toneHeardAt = r.atMillis();
                }
                at += n;
            }
            int toneStart = Audio.onset(Arrays.copyOf(heard, at), 48000, -30);
            assertTrue(toneStart > 0, "the PBX's tone reached Meta's side");
            int mid = toneStart + 48000 / 5;
            assertEquals(1000, Audio.dominant(heard, mid, 48000, 48000, 500, 700, 1000, 1400, 2000),
                    "frequency of the PBX's tone at Meta");
            assertEquals(Audio.levelDb(pbxTone, 0, 8000), Audio.levelDb(heard, mid, 48000), 2.0,
                    "level of the PBX's tone at Meta");
            long delay = toneHeardAt - toneSentAt;
            assertTrue(delay >= 0 && delay < 200, "PBX -> Meta took " + delay + " ms through relay and rtpengine");
            List<byte[]> dtmfAtMeta = atMeta.stream().map(Received::data).filter(p -> Rtp.payloadType(p) == 126)
                    .collect(Collectors.toList());
            assertEquals(3, dtmfAtMeta.size(), "the PBX's DTMF packets at Meta");
            assertEquals(5, dtmfAtMeta.get(0)[Rtp.HEADER_LENGTH], "digit 5 at Meta");

            // ---- at the PBX: continuous PCMU with the stand-in's tone, losses filled
            List<byte[]> atPbx = pbx.received().stream().map(Received::data)
                    .filter(p -> !Rtp.looksLikeRtcp(p, p.length)).collect(Collectors.toList());
            List<byte[]> pcmu = atPbx.stream().filter(p -> Rtp.payloadType(p) == 0)
                    .sorted(Comparator.comparingLong(Rtp::timestamp)).collect(Collectors.toList());
            assertEquals(FRAMES, pcmu.size(), "every 20 ms reached the PBX, " + lost + " of them made up from FEC/PLC");
            short[] atPbxPcm = new short[pcmu.size() * 160];
            for (int i = 0; i < pcmu.size(); i++) {
                byte[] p = pcmu.get(i);
                assertEquals(160, p.length - Rtp.HEADER_LENGTH);
                if (i > 0) {
                    assertEquals(160, Rtp.timestamp(p) - Rtp.timestamp(pcmu.get(i - 1)), "no hole at frame " + i);
                }
                G711Law.PCMU.decode(p, Rtp.HEADER_LENGTH, 160, atPbxPcm, i * 160);
            }
            for (int f = 10; f < FRAMES; f++) {
                assertTrue(Audio.levelDb(atPbxPcm, f * 160, 160) > -40, "frame " + f + " at the PBX is silent");
            }
            assertEquals(700, Audio.dominant(atPbxPcm, 1600, 8000, 8000, 500, 700, 1000, 1400, 2000),
                    "frequency of Meta's tone at the PBX");
            assertEquals(20 * Math.log10(0.25) - 3, Audio.levelDb(atPbxPcm, 1600, 8000), 2.0,
                    "level of Meta's tone at the PBX");
            List<byte[]> dtmfAtPbx = atPbx.stream().filter(p -> Rtp.payloadType(p) == 101).collect(Collectors.toList());
            assertEquals(1, dtmfAtPbx.size());
            assertEquals(9, dtmfAtPbx.get(0)[Rtp.HEADER_LENGTH], "digit 9 at the PBX");
            assertEquals(0, session.stats().meta().authFailures(), "rtpengine's SRTP authenticated at our side");
        } finally {
            rtpengine.delete("e2e-transcode");
        }
    }

    /**
     * The same call with every Opus encoder and decoder on the far side not ours: rtpengine transcodes between our
     * Opus (SRTP) and PCMU toward the stand-in with ffmpeg's libopus, so the PBX's tone is decoded at "Meta" by
     * libopus, and the stand-in's tone reaches us encoded by libopus.
     */
    @Test
    @Timeout(60)
    void toneBothWaysThroughLibopusInRtpengine() throws Exception {
        try (UdpPeer meta = new UdpPeer(0); UdpPeer pbx = new UdpPeer(0);
             MediaSession session = relay.open("e2e-libopus", (leg, d) -> { })) {
            String metaOffer = session.metaOfferFromPbxOffer(plainSdp(pbx.port(), "8 101", "a=rtpmap:8 PCMA/8000",
                    "a=rtpmap:101 telephone-event/8000"));
            String plainOffer = (String) rtpengine.offerTranscoding("e2e-libopus", "bridge", metaOffer, "PCMU")
                    .get("sdp");
            assertTrue(plainOffer.contains("PCMU/8000"), "rtpengine offers the stand-in PCMU too:\n" + plainOffer);
            InetSocketAddress toRtpengine = new InetSocketAddress("127.0.0.1", mediaPort(plainOffer));
            String srtpAnswer = (String) rtpengine.answer("e2e-libopus", "bridge", "meta",
                    plainSdp(meta.port(), "0", "a=rtpmap:0 PCMU/8000")).get("sdp");
            assertTrue(srtpAnswer.contains("opus/48000"), "rtpengine answers us in Opus:\n" + srtpAnswer);
            String pbxAnswer = session.pbxAnswerFromMetaAnswer(srtpAnswer);
            assertTrue(pbxAnswer.contains("RTP/AVP 8"), pbxAnswer);
            session.startMetaLeg();
            InetSocketAddress relayPbx = new InetSocketAddress("127.0.0.1", mediaPort(pbxAnswer));

            short[] pbxTone = Audio.tone(1000, 8000, 0.3, 0, FRAMES * 160);
            short[] metaTone = Audio.tone(700, 8000, 0.25, 0, FRAMES * 160);
            long begin = System.currentTimeMillis();
            for (int f = 0; f < FRAMES; f++) {
                pbx.send(Rtp.build(8, f == 0, 500 + f, 32_000L + 160L * f, 0xB0B0B0B0L,
                        G711Law.PCMA.encode(pbxTone, f * 160, 160)), relayPbx);
                meta.send(Rtp.build(0, f == 0, 7000 + f, 64_000L + 160L * f, 0x7E7EL,
                        G711Law.PCMU.encode(metaTone, f * 160, 160)), toRtpengine);
                Thread.sleep(Math.max(0, begin + (f + 1) * 20L - System.currentTimeMillis()));
            }
            Thread.sleep(500);

            short[] atMeta = g711Heard(meta.received(), 0, G711Law.PCMU);
            assertTrue(atMeta.length >= 60 * 160, "PCMU from rtpengine at the stand-in: " + atMeta.length / 160);
            int start = Audio.onset(atMeta, 8000, -30);
            assertTrue(start >= 0, "the PBX's tone reached the stand-in through libopus");
            assertEquals(1000, Audio.dominant(atMeta, start + 1600, 4000, 8000, 500, 700, 1000, 1400, 2000),
                    "frequency at Meta's side, decoded by libopus");
            assertEquals(Audio.levelDb(pbxTone, 0, 8000), Audio.levelDb(atMeta, start + 1600, 4000), 3.0,
                    "level at Meta's side, decoded by libopus");

            short[] atPbx = g711Heard(pbx.received(), 8, G711Law.PCMA);
            assertTrue(atPbx.length >= 60 * 160, "PCMA at the PBX: " + atPbx.length / 160);
            int pbxStart = Audio.onset(atPbx, 8000, -30);
            assertTrue(pbxStart >= 0, "the stand-in's tone, encoded by libopus, reached the PBX");
            assertEquals(700, Audio.dominant(atPbx, pbxStart + 1600, 4000, 8000, 500, 700, 1000, 1400, 2000),
                    "frequency at the PBX of audio libopus encoded");
            assertEquals(Audio.levelDb(metaTone, 0, 8000), Audio.levelDb(atPbx, pbxStart + 1600, 4000), 3.0,
                    "level at the PBX of audio libopus encoded");
            assertEquals(0, session.stats().meta().authFailures());
        } finally {
            rtpengine.delete("e2e-libopus");
        }
    }

    /** The G.711 audio of one payload type in the received RTP, in timestamp order. */
    private static short[] g711Heard(List<Received> received, int pt, G711Law law) {
        List<byte[]> packets = received.stream().map(Received::data)
                .filter(p -> !Rtp.looksLikeRtcp(p, p.length) && Rtp.payloadType(p) == pt)
                .sorted(Comparator.comparingLong(Rtp::timestamp)).collect(Collectors.toList());
        short[] pcm = new short[packets.size() * 160];
        int at = 0;
        for (byte[] p : packets) {
            int len = Math.min(160, p.length - Rtp.HEADER_LENGTH);
            law.decode(p, Rtp.HEADER_LENGTH, len, pcm, at);
            at += len;
        }
        return Arrays.copyOf(pcm, at);
    }

    private static byte[] opusFrame(OpusEncoder encoder, short[] mono) throws Exception {
        short[] stereo = new short[mono.length * 2];
        for (int i = 0; i < mono.length; i++) {
            stereo[2 * i] = mono[i];
            stereo[2 * i + 1] = mono[i];
        }
        byte[] out = new byte[1275];
        int n = encoder.encode(stereo, 0, mono.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
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
