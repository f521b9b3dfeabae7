package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wabridge.media.NettyMediaRelay;

/**
 * A PBX re-INVITE without SDP asks the bridge to offer (RFC 3261 section 14.2) and carries the PBX's answer in its
 * ACK. Checked at the far side: the test plays the PBX with raw SIP ({@link RawPbx}) and two media sockets, and
 * Meta's media with SRTP made by {@link Rfc3711Srtp} under the key of the lab's Meta answer; Meta's audio must
 * reach the PBX where its INVITE said, then, after the answer in the ACK, where that answer says, and only there.
 */
class PbxReInviteWithoutSdpTest {

    static final String PASSWORD = "lab-secret";
    /** The a=crypto key of sipp-scenarios/meta-uas-answer.xml: what Meta's side encrypts with. */
    static final String META_KEY = "BDZqHmVowBWa9gQGV4qlee0bM7gRHbiEXQgVZJF2";
    static final int META_OPUS = 111;
    static final int PBX_OPUS = 107;
    static final int PBX_AUDIO_BYTES = 77;

    @TempDir
    static Path tmp;

    /** Also with media.sharedPorts, where the PBX's packets find their call by the address its SDP names. */
    @ParameterizedTest(name = "sharedPorts={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(90)
    void theBridgeOffersInIts200AndMediaFollowsTheAnswerInTheAck(boolean sharedPorts) throws Exception {
        Lab.requireTool("sipp");
        Path certs = Lab.certs(tmp.resolve("certs"));
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (DatagramSocket metaMedia = loopbackSocket(); DatagramSocket pbxFirst = loopbackSocket();
             DatagramSocket pbxMoved = loopbackSocket();
             Lab.Edge edge = new Lab.Edge(Files.createDirectories(tmp.resolve("edge")), certs, PASSWORD, "MD5", "edge");
             LogCapture log = new LogCapture();
             NettyMediaRelay relay = new NettyMediaRelay(ports.mediaSettings().withSharedPorts(sharedPorts));
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.tlsPort, PASSWORD, Map.of(), relay);
             Lab.Sipp uas = Lab.Sipp.start(Files.createDirectories(tmp.resolve("uas")), "uas", List.of(
                     "-sf", metaAnsweringWithMediaAt(metaMedia.getLocalPort()).toString(), "-p", "" + edge.uasPort,
                     "-t", "u1", "-mp", "" + Lab.freePort(), "-m", "1", "-timeout", "40s", "-timeout_error"));
             RawPbx pbx = new RawPbx(bridge.pbxPort)) {
            Thread.sleep(300); // the UAS binds
            pbx.invite(pbxSdp(pbxFirst.getLocalPort()));
            String ok = pbx.awaitAnswer(20_000);
            assertTrue(ok != null && ok.startsWith("SIP/2.0 200"), "the call is answered:\n" + ok + "\n" + log.text());
            pbx.inDialog("ACK", 1, null);

            // Meta's side hears the bridge first, from the port its own audio must go to
            DatagramPacket first = receive(metaMedia, 5000);
            assertNotNull(first, "the bridge sent Meta nothing:\n" + log.text());
            MetaSender meta = new MetaSender(metaMedia, first.getSocketAddress());
            meta.sendUntilHeard(pbxFirst, "the PBX's port from its INVITE", log);

            pbx.inDialog("INVITE", 2, null);
            String refresh = pbx.awaitFinal(2, "INVITE", 5000);
            assertTrue(refresh != null && refresh.startsWith("SIP/2.0 200"), "re-INVITE answered:\n" + refresh);
            String offer = RawPbx.body(refresh);
            String answered = RawPbx.body(ok);
            assertEquals("application/sdp", RawPbx.header(refresh, "Content-Type"), "an offer in the 200:\n" + refresh);
            assertEquals(mLine(answered), mLine(offer), "our port and the call's codecs, as in the first answer");
            assertTrue(offer.contains("a=sendrecv\r\n"), offer);
            assertEquals(oLine(answered), oLine(offer), "the same SDP as before: the same o= version (RFC 3264)");

            pbx.inDialog("ACK", 2, pbxSdp(pbxMoved.getLocalPort()));
            meta.sendUntilHeard(pbxMoved, "the port from the PBX's answer in its ACK", log);
            drain(pbxFirst);
            List<Integer> sent = meta.send(10);
            assertEquals(sent, meta.heard(pbxMoved, sent.size(), 2000), "every packet after the answer reaches the new port");
            assertEquals(List.of(), meta.heard(pbxFirst, 1, 300), "and none the old one");
            assertTrue(!log.text().contains("was refused"), log.text());

            // and the PBX's audio from its new port reaches Meta: packets of a size silence never has
            int bridgePbxPort = Integer.parseInt(mLine(answered).split(" ")[1]);
            for (int i = 0; i < 10; i++) {
                byte[] rtp = new byte[12 + PBX_AUDIO_BYTES];
                rtp[0] = (byte) 0x80;
                rtp[1] = (byte) PBX_OPUS;
                rtp[3] = (byte) i;
                rtp[11] = 0x07;
                pbxMoved.send(new DatagramPacket(rtp, rtp.length, InetAddress.getLoopbackAddress(), bridgePbxPort));
                Thread.sleep(20);
            }
            int audioAtMeta = 0;
            for (long end = System.nanoTime() + 2_000_000_000L; audioAtMeta < 10 && System.nanoTime() < end; ) {
                DatagramPacket p = receive(metaMedia, 50);
                if (p != null && p.getLength() == 12 + PBX_AUDIO_BYTES + Rfc3711Srtp.TAG_LENGTH) {
                    audioAtMeta++;
                }
            }
            assertEquals(10, audioAtMeta, "the PBX's audio from the port its answer named reaches Meta");
            assertEquals(0, relay.unmatchedSharedPackets(), "every packet found its call");

            pbx.inDialog("BYE", 3, null);
            String byeAnswer = pbx.awaitFinal(3, "BYE", 5000);
            assertTrue(byeAnswer != null && byeAnswer.startsWith("SIP/2.0 200"), "BYE answered: " + byeAnswer);
            assertEquals(0, uas.await(10), "the WhatsApp side sees the call answered, ACKed and ended");
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }

    /** Meta's side: SRTP audio whose payload is its own sequence number, and what of it reached a PBX socket. */
    static final class MetaSender {
        private final DatagramSocket socket;
        private final SocketAddress bridge;
        private final Rfc3711Srtp srtp;
        private int seq = 1;

        MetaSender(DatagramSocket socket, SocketAddress bridge) throws Exception {
            this.socket = socket;
            this.bridge = bridge;
            this.srtp = new Rfc3711Srtp(Base64.getDecoder().decode(META_KEY));
        }

        List<Integer> send(int packets) throws Exception {
            List<Integer> sent = new ArrayList<>();
            for (int i = 0; i < packets; i++, seq++) {
                byte[] rtp = new byte[12 + 2];
                rtp[0] = (byte) 0x80;
                rtp[1] = (byte) META_OPUS;
                rtp[2] = (byte) (seq >>> 8);
                rtp[3] = (byte) seq;
                int timestamp = seq * 960;
                for (int b = 0; b < 4; b++) {
                    rtp[4 + b] = (byte) (timestamp >>> (24 - 8 * b));
                }
                rtp[11] = 0x42; // SSRC
                rtp[12] = (byte) (seq >>> 8);
                rtp[13] = (byte) seq;
                byte[] packet = srtp.protectRtp(rtp);
                socket.send(new DatagramPacket(packet, packet.length, bridge));
                sent.add(seq);
                Thread.sleep(20);
            }
            return sent;
        }

        /** Sends a packet every 20 ms until one reaches {@code pbx} (at most 5 s). */
        void sendUntilHeard(DatagramSocket pbx, String where, LogCapture log) throws Exception {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                send(1);
                if (!heard(pbx, 1, 40).isEmpty()) {
                    return;
                }
            }
            throw new AssertionError("Meta's audio never reached " + where + ":\n" + log.text());
        }

        /**
         * The Meta sequence numbers in the RTP (the PBX's Opus payload type) that reaches {@code pbx} until {@code
         * count} came or {@code millis} passed.
         */
        List<Integer> heard(DatagramSocket pbx, int count, long millis) throws IOException {
            List<Integer> heard = new ArrayList<>();
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (heard.size() < count && System.nanoTime() < deadline) {
                DatagramPacket p = receive(pbx, 20);
                if (p != null) {
                    byte[] rtp = Arrays.copyOfRange(p.getData(), 0, p.getLength());
                    assertEquals(PBX_OPUS, rtp[1] & 0x7F, "Meta's Opus in the PBX's payload type");
                    heard.add(((rtp[12] & 0xFF) << 8) | (rtp[13] & 0xFF));
                }
            }
            return heard;
        }
    }

    /** The lab's Meta answer, sending its media from (and naming) {@code port}: a socket the test holds. */
    private static Path metaAnsweringWithMediaAt(int port) throws IOException {
        String scenario = Files.readString(Lab.scenario("meta-uas-answer.xml"));
        assertTrue(scenario.contains("m=audio [media_port] ") && scenario.contains("inline:" + META_KEY));
        return Files.writeString(tmp.resolve("meta-uas-answer-media.xml"),
                scenario.replace("m=audio [media_port] ", "m=audio " + port + " "));
    }

    private static String pbxSdp(int mediaPort) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + mediaPort + " RTP/AVP " + PBX_OPUS + " 101\r\na=rtpmap:" + PBX_OPUS + " opus/48000/2\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
    }

    private static String mLine(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("m=")).findFirst().orElse("no m= line in " + sdp);
    }

    private static String oLine(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("o=")).findFirst().orElse("no o= line in " + sdp);
    }

    private static DatagramSocket loopbackSocket() throws IOException {
        return new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    private static DatagramPacket receive(DatagramSocket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            socket.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static void drain(DatagramSocket socket) throws IOException {
        while (receive(socket, 100) != null) {
            // what was in flight before the move
        }
    }
}
