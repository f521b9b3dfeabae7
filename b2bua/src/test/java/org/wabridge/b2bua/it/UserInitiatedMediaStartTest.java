package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * A WhatsApp client treats a call as accepted as soon as it receives a media packet (whatsapp-sip-facts.md,
 * "Early media"), so on a user-initiated call nothing may reach the WhatsApp side before our 200 OK does, and
 * the first packet must follow it at once (Meta also expects the business to send first).
 *
 * <p>The peers are independent of the bridge's code: the test itself plays Meta's edge with raw SIP over TLS
 * ({@link MetaTlsUac}: INVITE with an SDES offer, the 407 answered with digest, ACK, BYE), a UDP socket plays
 * the WhatsApp user's media address and judges every packet with {@link Rfc3711Srtp} (RFC 3711 with
 * javax.crypto, not jitsi-srtp), and SIPp plays the PBX, ringing with early media (183 + PCMA from
 * g711a.pcap) before it answers or declines.
 *
 * <p>Timestamps, decided here: the order "200 OK, then media" is judged on the wire, from the kernel's timestamps
 * in a tshark capture of the loopback interface the "WhatsApp side" receives on: the 200's TLS segment from the
 * bridge's Meta port against every UDP datagram to the WhatsApp media port. The peer's two user-space threads
 * (TLS reader, UDP receiver) cannot order two events this close: on a loaded machine the receiver stamped the
 * first packet 1.2 ms before the reader stamped the 200 that preceded it on the wire. The 200's (last) segment
 * is the last data segment from the bridge's TLS port captured no later than the moment the reader had read all
 * of the 200 (same wall clock; the bridge sends nothing else on that connection until our ACK). The 100 ms
 * bound is checked on the wire and with the peer's own clocks (the reader's arrival of the 200 against the
 * receiver's arrival of the first authenticated packet).
 */
class UserInitiatedMediaStartTest {

    static final String PASSWORD = "lab-secret";
    static final long FIRST_PACKET_WITHIN_MILLIS = 100;

    @TempDir
    static Path tmp;
    static Path certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        for (String tool : List.of("sipp", "tshark")) {
            Lab.requireTool(tool);
        }
        certs = Lab.certs(tmp.resolve("certs"));
    }

    @Test
    @Timeout(90)
    void pbxRingsFiveSecondsThenAnswersAndTheWhatsAppSideHearsNothingBeforeOur200ThenAtOnce() throws Exception {
        try (Call call = new Call(Map.of(), "pbx-uas-ring-answer.xml", 5000)) {
            MetaTlsUac.Message answer = call.meta.call(call.offer(), PASSWORD, 30_000);
            assertEquals(200, answer.status(), "the PBX answered after 5 s of ringing:\n" + call.diagnostics());
            call.meta.ackOk();
            Thread.sleep(1500); // held early media is released 500 ms after the start at the latest; SRTCP at once
            assertEquals(200, call.meta.bye().status(), "our BYE answered");
            call.finishCapture();

            // the ringing was real: about 5 s between the 180 and the 200
            MetaTlsUac.Message ringing = call.meta.received.stream().filter(m -> m.status() == 180).findFirst()
                    .orElseThrow(() -> new AssertionError("no 180 while the PBX rang:\n" + call.diagnostics()));
            assertTrue(answer.nanos() - ringing.nanos() >= TimeUnit.MILLISECONDS.toNanos(4500),
                    "the PBX rang about 5 s before answering:\n" + call.diagnostics());

            // 1. on the wire: no datagram toward the WhatsApp side before the 200 OK's segment, the first within 100 ms
            double okOnWire = call.okSegmentTime(answer);
            List<Double> media = call.mediaOnWire();
            assertTrue(!media.isEmpty(), "no media reached the WhatsApp side at all:\n" + call.diagnostics());
            long early = media.stream().filter(t -> t < okOnWire).count();
            assertEquals(0, early, early + " of " + media.size() + " datagrams reached the WhatsApp side before "
                    + "the bridge's 200 OK (first one " + millis(okOnWire - media.get(0)) + " ms before it): the "
                    + "WhatsApp client would show the call as connected while the PBX still rang\n" + call.diagnostics());
            double wireDelay = media.get(0) - okOnWire;
            assertTrue(wireDelay * 1000 < FIRST_PACKET_WITHIN_MILLIS, "first datagram " + millis(wireDelay)
                    + " ms after the 200 OK on the wire\n" + call.diagnostics());

            // 2. at the peer: every packet authenticates with the key of our 200 OK; the first came within 100 ms
            List<Received> packets = call.receiver.packets();
            Rfc3711Srtp srtp = new Rfc3711Srtp(keyOf(answer.body()));
            List<byte[]> rtp = new ArrayList<>();
            int rtcp = 0;
            for (Received p : packets) {
                boolean isRtcp = Rfc3711Srtp.isRtcp(p.data());
                byte[] plain = isRtcp ? srtp.unprotectRtcp(p.data()) : srtp.unprotectRtp(p.data());
                assertNotNull(plain, (isRtcp ? "SRTCP" : "SRTP") + " packet " + packets.indexOf(p)
                        + " does not authenticate with the key of the bridge's 200 OK\n" + call.diagnostics());
                if (isRtcp) {
                    rtcp++;
                } else {
                    rtp.add(plain);
                }
            }
            double peerDelayMillis = (packets.get(0).nanos() - answer.nanos()) / 1e6;
            assertTrue(peerDelayMillis < FIRST_PACKET_WITHIN_MILLIS, "first authenticated packet " + peerDelayMillis
                    + " ms after the 200 OK reached the WhatsApp side\n" + call.diagnostics());
            assertTrue(rtcp >= 1, "SRTCP sender reports from the start of the Meta leg\n" + call.diagnostics());

            // 3. the PBX's early media, held while it rang, reached the WhatsApp side after the 200 as one stream
            long pbxAudio = rtp.stream().filter(p -> (p[1] & 0x7F) == 8 && !isPcmaSilence(p)).count();
            assertTrue(pbxAudio > 0, "the PBX's audio (PCMA from g711a.pcap) must follow the 200 OK\n"
                    + call.diagnostics());
            for (int i = 1; i < rtp.size(); i++) {
                assertEquals(1, (seq(rtp.get(i)) - seq(rtp.get(i - 1))) & 0xFFFF, "one unbroken sequence toward "
                        + "the WhatsApp side at packet " + i);
            }
            System.out.printf("media start: %d packets (%d SRTCP, %d PBX audio), first %.3f ms after the 200 OK on "
                    + "the wire, %.3f ms at the peer's clocks%n", packets.size(), rtcp, pbxAudio, wireDelay * 1000,
                    peerDelayMillis);
            assertEquals(0, call.pbxExit(), "the PBX's call (183, early media, 200, ACK, BYE) completed\n"
                    + call.diagnostics());
        }
    }

    @Test
    @Timeout(60)
    void pbxRingsWithEarlyMediaThenBusyAndTheWhatsAppSideReceivesNothing() throws Exception {
        try (Call call = new Call(Map.of(), "pbx-uas-ring-busy.xml", 3000)) {
            MetaTlsUac.Message answer = call.meta.call(call.offer(), PASSWORD, 30_000);
            assertEquals(486, answer.status(), "busy stays busy:\n" + call.diagnostics());
            Thread.sleep(1000);
            call.finishCapture();
            assertNothingReachedTheWhatsAppSide(call);
            assertEquals(0, call.pbxExit(), "the PBX's 486 was acknowledged\n" + call.diagnostics());
        }
    }

    @Test
    @Timeout(60)
    void pbxNeverAnswersAndTheWhatsAppSideReceivesNothing() throws Exception {
        try (Call call = new Call(Map.of("answerTimeout", "3s"), "pbx-uas-noanswer.xml", 0)) {
            MetaTlsUac.Message answer = call.meta.call(call.offer(), PASSWORD, 30_000);
            assertEquals(480, answer.status(), "no answer within pbx.answerTimeout:\n" + call.diagnostics());
            Thread.sleep(1000);
            call.finishCapture();
            assertNothingReachedTheWhatsAppSide(call);
            assertEquals(0, call.pbxExit(), "the PBX got the CANCEL\n" + call.diagnostics());
        }
    }

    private static void assertNothingReachedTheWhatsAppSide(Call call) throws Exception {
        assertTrue(call.meta.received.stream().anyMatch(m -> m.status() == 180), "the PBX rang first (180 to the "
                + "WhatsApp side):\n" + call.diagnostics());
        List<Double> media = call.mediaOnWire();
        assertEquals(0, media.size(), media.size() + " datagrams reached the WhatsApp side of a call that was never "
                + "answered\n" + call.diagnostics());
        assertEquals(0, call.receiver.packets().size(), "packets at the WhatsApp side's media port\n"
                + call.diagnostics());
    }

    // ------------------------------------------------------------------ one call

    /** A bridge with its relay, the PBX (SIPp), the WhatsApp media receiver, a capture and the Meta TLS side. */
    static final class Call implements AutoCloseable {
        final BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        final int pbxPort = Lab.freePort();
        final LogCapture log = new LogCapture();
        Path dir;
        Path capture;
        MediaRelay relay;
        BridgeUnderTest bridge;
        SrtpReceiver receiver;
        FullStackMediaTest.Tshark tshark;
        Lab.Sipp pbx;
        MetaTlsUac meta;
        private List<String[]> wire;

        Call(Map<String, String> overrides, String pbxScenario, long ringMillis) throws Exception {
            try {
                start(overrides, pbxScenario, ringMillis);
            } catch (Exception | AssertionError e) {
                close(); // never leave a bridge, a SIPp or a tshark behind
                throw e;
            }
        }

        private void start(Map<String, String> overrides, String pbxScenario, long ringMillis) throws Exception {
            dir = Files.createDirectories(tmp.resolve("call-" + System.nanoTime()));
            capture = dir.resolve("wire.pcapng");
            Map<String, String> settings = new HashMap<>(Map.of("pbxTarget", "sip:127.0.0.1:" + pbxPort,
                    "metaAllowedSources", "127.0.0.0/8"));
            settings.putAll(overrides);
            relay = new NettyMediaRelay(ports.mediaSettings());
            // user-initiated calls never use the edge: a closed port stands in for it
            bridge = new BridgeUnderTest(ports, certs, Lab.freePort(), PASSWORD, settings, relay);
            receiver = new SrtpReceiver();
            tshark = FullStackMediaTest.Tshark.start(capture, "tcp port " + bridge.metaPort + " or udp port "
                    + receiver.port(), dir.resolve("tshark.err"));
            Path pbxDir = Files.createDirectories(dir.resolve("pbx"));
            Files.createSymbolicLink(pbxDir.resolve("pcap"), Path.of("/usr/share/sip-tester"));
            pbx = Lab.Sipp.start(pbxDir, "pbx", List.of("-sf", Lab.scenario(pbxScenario).toString(), "-p",
                    "" + pbxPort, "-t", "u1", "-mp", "" + Lab.freePortRange(4), "-d", "" + ringMillis, "-m", "1",
                    "-timeout", "60s", "-timeout_error"));
            Thread.sleep(300); // let the PBX bind before the call reaches it
            meta = new MetaTlsUac(certs.resolve("edge-ca.pem"), bridge.metaPort);
        }

        /** Meta's SDES offer toward the receiver's port. */
        String offer() {
            return MetaTlsUac.sdesOffer(receiver.port());
        }

        /** Stops the capture (after the last packet had time to arrive) and reads it. */
        void finishCapture() throws Exception {
            Thread.sleep(200);
            tshark.stop();
            Process p = new ProcessBuilder("tshark", "-r", capture.toString(), "-T", "fields", "-E", "separator=,",
                    "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e", "tcp.len", "-e", "udp.dstport")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tshark -r did not finish");
            wire = new ArrayList<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    wire.add(line.split(",", -1));
                }
            }
        }

        /** Capture times (s since the epoch) of every datagram to the WhatsApp media port, in order. */
        List<Double> mediaOnWire() {
            return wire.stream().filter(f -> f.length >= 4 && f[3].equals("" + receiver.port()))
                    .map(f -> Double.parseDouble(f[0])).toList();
        }

        /**
         * The capture time of the 200 OK's (last) TLS segment: the last segment carrying data from the bridge's Meta
         * port captured no later than the moment the reader had read the whole 200.
         */
        double okSegmentTime(MetaTlsUac.Message ok) {
            double readAt = ok.completeAt().getEpochSecond() + ok.completeAt().getNano() / 1e9;
            double found = -1;
            for (String[] f : wire) {
                if (f.length >= 3 && f[1].equals("" + bridge.metaPort) && !f[2].isEmpty() && Integer.parseInt(f[2]) > 0) {
                    double t = Double.parseDouble(f[0]);
                    if (t <= readAt + 1e-6) {
                        found = t;
                    }
                }
            }
            assertTrue(found > 0, "no TLS segment of the 200 OK in the capture\n" + diagnostics());
            return found;
        }

        int pbxExit() throws Exception {
            return pbx.await(15);
        }

        String diagnostics() {
            StringBuilder sb = new StringBuilder("--- Meta side (TLS):\n").append(meta.transcript());
            sb.append("--- WhatsApp media port: ").append(receiver.packets().size()).append(" packets received\n");
            try {
                sb.append("--- PBX (SIPp):\n").append(pbx.output()).append('\n');
            } catch (Exception e) {
                sb.append("(PBX output unavailable: ").append(e).append(")\n");
            }
            sb.append("--- bridge log:\n").append(FullStackMediaTest.text(log));
            return sb.toString();
        }

        @Override
        public void close() throws Exception {
            try {
                for (AutoCloseable c : new AutoCloseable[] {meta, pbx, tshark, receiver, bridge, relay}) {
                    if (c != null) {
                        try {
                            c.close();
                        } catch (Exception e) {
                            System.err.println("cleanup: " + e);
                        }
                    }
                }
            } finally {
                log.close();
            }
        }
    }

    // ------------------------------------------------------------------ the WhatsApp side's media port

    record Received(long nanos, Instant at, byte[] data) {}

    /** A UDP socket on 127.0.0.1 that keeps every datagram with its arrival time (System.nanoTime()). */
    static final class SrtpReceiver implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        private final List<Received> packets = new CopyOnWriteArrayList<>();
        private final Thread thread;

        SrtpReceiver() throws SocketException {
            thread = new Thread(this::run, "whatsapp-media-receiver");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void run() {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (Exception closed) {
                    return;
                }
                packets.add(new Received(System.nanoTime(), Instant.now(), Arrays.copyOf(p.getData(), p.getLength())));
            }
        }

        List<Received> packets() {
            return packets;
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2000);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The 30 bytes of the {@code a=crypto ... inline:} key in an SDP. */
    static byte[] keyOf(String sdp) {
        Matcher m = Pattern.compile("a=crypto:\\d+ AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)").matcher(sdp);
        assertTrue(m.find(), "no AES_CM_128_HMAC_SHA1_80 key in the bridge's answer:\n" + sdp);
        return Base64.getDecoder().decode(m.group(1));
    }

    static boolean isPcmaSilence(byte[] rtp) {
        for (int i = 12; i < rtp.length; i++) {
            if (rtp[i] != (byte) 0xD5) {
                return false;
            }
        }
        return true;
    }

    static int seq(byte[] rtp) {
        return ((rtp[2] & 0xFF) << 8) | (rtp[3] & 0xFF);
    }

    static String millis(double seconds) {
        return new BigDecimal(seconds * 1000).setScale(3, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
