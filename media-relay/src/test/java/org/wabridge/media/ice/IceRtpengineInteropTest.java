package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent against an independent ICE implementation on loopback: rtpengine (userspace) asked, through its ng
 * protocol, to offer ICE as an ICE-lite agent ({@code ICE=force}, {@code ICE-lite=forward}), exactly Meta's role.
 * Its offer goes through {@link IceSdp}; our answer carries {@link IceSdp#localLines}; then our agent runs against
 * rtpengine's STUN on a real UDP socket. rtpengine forwarding a stand-in's RTP to our socket afterwards shows it
 * took our nomination; a wrong password shows that rtpengine really checks our MESSAGE-INTEGRITY.
 *
 * <p>Own ng port and port range (not the e2e tests'), so the two never share an rtpengine.
 */
class IceRtpengineInteropTest {

    private static final int NG_PORT = 22240;
    private static final int PORT_MIN = 32000;
    private static final int PORT_MAX = 32099;
    private static Process rtpengine;
    private static Path log;

    @BeforeAll
    static void start() throws Exception {
        StunCodec.warmUp(); // as the relay does at start-up: the first check leaves at once
        String binary = List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)).stream()
                .map(d -> new File(d, "rtpengine")).filter(File::canExecute).map(File::getPath).findFirst()
                .orElseThrow(() -> new IllegalStateException("rtpengine is not installed; this interop test needs it as "
                        + "an independent ICE-lite peer: apt-get install rtpengine-daemon"));
        awaitPortFree(NG_PORT);
        log = Files.createTempFile("rtpengine-ice", ".log");
        rtpengine = new ProcessBuilder(binary, "--config-file=none", "--interface=127.0.0.1",
                "--listen-ng=127.0.0.1:" + NG_PORT, "--foreground", "--log-stderr", "--table=-1",
                "--port-min=" + PORT_MIN, "--port-max=" + PORT_MAX, "--num-threads=1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                ng(Map.of("command", "ping"));
                if (!rtpengine.isAlive()) {
                    throw new IllegalStateException("our rtpengine exited; its log:\n" + Files.readString(log));
                }
                return;
            } catch (IOException e) {
                if (!rtpengine.isAlive() || System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("rtpengine did not answer on ng port " + NG_PORT + "; its log:\n"
                            + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (rtpengine != null) {
            rtpengine.destroy(); // our own child only
            if (!rtpengine.waitFor(5, TimeUnit.SECONDS)) {
                rtpengine.destroyForcibly();
            }
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private record Outcome(List<String> events, SelectedPair selected, int rtpReceived,
                           ControllingIceAgent.State stateAtEnd) {}

    @Test
    @Timeout(30)
    void iceCompletesAgainstRtpenginesIceLiteAgentAndItForwardsMediaToTheNominatedPair() throws Exception {
        IceTiming timing = new IceTiming(Duration.ofMillis(50), Duration.ofMillis(500), 7, 16, Duration.ofMillis(200),
                Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMillis(1500));
        Outcome o = run("ice-ok", timing, false, 2500);
        assertEquals(1, o.events().size(), o.events() + "\nrtpengine log:\n" + Files.readString(log));
        assertTrue(o.events().get(0).startsWith("completed"), o.events().toString());
        // on loopback: the first check, Ta, the nomination (about 50 ms here)
        assertTrue(Integer.parseInt(o.events().get(0).replaceAll("\\D", "")) < 1000, o.events().toString());
        assertTrue(Files.readString(log).contains("ICE negotiated: peer for component 1 is 127.0.0.1:"
                + o.selected().local().address().getPort()), Files.readString(log));
        assertEquals(new InetSocketAddress("127.0.0.1", o.selected().remoteAddress().getPort()),
                o.selected().remoteAddress());
        assertEquals(o.selected().local().address(), o.selected().mapped()); // rtpengine saw us where we are
        // consent checks every ~0.5 s for 2.5 s after completion, consent lost after 1.5 s unanswered: rtpengine
        // kept answering them
        assertEquals(ControllingIceAgent.State.COMPLETED, o.stateAtEnd());
        assertTrue(o.rtpReceived() > 0, "rtpengine forwarded no RTP to the nominated pair; its log:\n"
                + Files.readString(log));
    }

    @Test
    @Timeout(30)
    void rtpengineRefusesChecksKeyedWithTheWrongPasswordAndIceFailsInBoundedTime() throws Exception {
        IceTiming timing = IceTiming.DEFAULT.withCompletionTimeout(Duration.ofSeconds(2));
        Outcome o = run("ice-badpwd", timing, true, 0);
        assertEquals(1, o.events().size(), o.events().toString());
        // rtpengine answers 401 with integrity keyed by its real password: our side cannot verify it either
        assertTrue(o.events().get(0).startsWith("failed: ICE did not complete within 2 s"), o.events().get(0));
        assertTrue(o.events().get(0).contains("wrong MESSAGE-INTEGRITY (ICE password mismatch?)")
                && o.events().get(0).contains("last seen: 401"), o.events().get(0));
        assertTrue(Files.readString(log).contains("STUN authentication mismatch"), Files.readString(log));
        assertTrue(o.selected() == null);
    }

    /**
     * One call: rtpengine offers ICE-lite toward us, we answer with our ICE lines, our agent checks from a UDP socket;
     * a stand-in for the far end sends RTP into rtpengine, which forwards it to us once ICE is done.
     */
    private Outcome run(String callId, IceTiming timing, boolean wrongPassword, long afterCompletionMillis)
            throws Exception {
        try (DatagramSocket ours = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket farEnd = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ours.setSoTimeout(5);
            String farOffer = sdp(farEnd.getLocalPort(), List.of());
            Map<String, Object> offer = ng(Map.of("command", "offer", "call-id", callId, "from-tag", "far",
                    "sdp", farOffer, "ICE", "force", "ICE-lite", "forward", "rtcp-mux", List.of("offer")));
            String liteOffer = (String) offer.get("sdp");
            assertTrue(liteOffer.contains("a=ice-lite"), liteOffer);
            RemoteIce remote = IceSdp.parseRemote(liteOffer, "rtpengine").orElseThrow();
            assertTrue(remote.lite());

            IceCredentials mine = IceCredentials.generate();
            List<IceCandidate> local = IceSdp.hostCandidates(List.of((InetSocketAddress) ours.getLocalSocketAddress()));
            Map<String, Object> answer = ng(Map.of("command", "answer", "call-id", callId, "from-tag", "far",
                    "to-tag", "bridge", "sdp", sdp(ours.getLocalPort(), IceSdp.localLines(mine, local)),
                    "ICE", "remove"));
            int rtpengineFarPort = mediaPort((String) answer.get("sdp"));
            if (wrongPassword) {
                remote = new RemoteIce(new IceCredentials(remote.credentials().ufrag(),
                        remote.credentials().pwd() + "x"), true, remote.candidates());
            }

            List<String> events = new ArrayList<>();
            ControllingIceAgent agent = new ControllingIceAgent(mine, local, remote, timing,
                    new java.security.SecureRandom(), (data, from, to) -> {
                        try {
                            ours.send(new DatagramPacket(data, data.length, to));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }, new IceEvents() {
                        @Override
                        public void completed(SelectedPair pair, Duration after) {
                            events.add("completed in " + after.toMillis() + " ms");
                        }

                        @Override
                        public void failed(String reason) {
                            events.add("failed: " + reason);
                        }

                        @Override
                        public void consentLost(Duration silentFor) {
                            events.add("consentLost");
                        }
                    });
            long t0 = System.nanoTime();
            agent.start(0);
            byte[] buf = new byte[2048];
            int rtp = 0;
            long completedAt = -1;
            int seq = 0;
            while (true) {
                long now = (System.nanoTime() - t0) / 1_000_000;
                if (agent.state() == ControllingIceAgent.State.FAILED
                        || (completedAt >= 0 && now - completedAt > afterCompletionMillis)
                        || now > timing.completionTimeout().toMillis() + 2000) {
                    break;
                }
                if (completedAt < 0 && agent.state() == ControllingIceAgent.State.COMPLETED) {
                    completedAt = now;
                }
                if (completedAt >= 0 && seq < 50) { // the far end talks; rtpengine relays to the nominated pair
                    byte[] packet = rtpPacket(seq++);
                    farEnd.send(new DatagramPacket(packet, packet.length,
                            new InetSocketAddress("127.0.0.1", rtpengineFarPort)));
                }
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    ours.receive(p);
                    now = (System.nanoTime() - t0) / 1_000_000;
                    if (!agent.onPacket(p.getData(), p.getOffset(), p.getLength(),
                            (InetSocketAddress) p.getSocketAddress(), now)) {
                        rtp++;
                    }
                } catch (SocketTimeoutException quiet) {
                    // tick below
                }
                agent.tick((System.nanoTime() - t0) / 1_000_000);
            }
            SelectedPair selected = agent.selectedPair().orElse(null);
            ControllingIceAgent.State stateAtEnd = agent.state();
            agent.close();
            try {
                ng(Map.of("command", "delete", "call-id", callId));
            } catch (IOException gone) {
                // already gone
            }
            System.out.println(callId + ": " + events + ", RTP received from rtpengine: " + rtp);
            return new Outcome(events, selected, rtp, stateAtEnd);
        }
    }

    private static String sdp(int port, List<String> extra) {
        StringBuilder s = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=rtcp-mux\r\n");
        extra.forEach(l -> s.append(l).append("\r\n"));
        return s.toString();
    }

    private static int mediaPort(String sdp) {
        Matcher m = Pattern.compile("m=audio (\\d+)").matcher(sdp);
        assertTrue(m.find(), sdp);
        return Integer.parseInt(m.group(1));
    }

    private static byte[] rtpPacket(int seq) {
        byte[] p = new byte[12 + 160];
        p[0] = (byte) 0x80;
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[7] = (byte) (seq * 160);
        p[6] = (byte) ((seq * 160) >> 8);
        p[8] = 0x12;
        p[9] = 0x34;
        p[10] = 0x56;
        p[11] = 0x78;
        return p;
    }

    private static void awaitPortFree(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return;
            } catch (SocketException inUse) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("UDP 127.0.0.1:" + port + " (this test's rtpengine ng port) is in use");
                }
                Thread.sleep(500);
            }
        }
    }

    // ------------------------------------------------------------------ ng protocol: "cookie bencode" over UDP

    private static Map<String, Object> ng(Map<String, Object> command) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(2000);
            String cookie = Long.toString(System.nanoTime());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((cookie + " ").getBytes(StandardCharsets.US_ASCII));
            encode(command, out);
            byte[] request = out.toByteArray();
            s.send(new DatagramPacket(request, request.length, new InetSocketAddress("127.0.0.1", NG_PORT)));
            byte[] buf = new byte[65535];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            s.receive(reply);
            String text = new String(buf, 0, reply.getLength(), StandardCharsets.ISO_8859_1);
            int[] pos = {text.indexOf(' ') + 1};
            @SuppressWarnings("unchecked")
            Map<String, Object> dict = (Map<String, Object>) decode(text, pos);
            Object result = dict.get("result");
            if (!"ok".equals(result) && !"pong".equals(result)) {
                throw new IOException("rtpengine refused " + command.get("command") + ": " + dict);
            }
            return dict;
        }
    }

    private static void encode(Object o, ByteArrayOutputStream out) {
        if (o instanceof Map<?, ?> map) {
            out.write('d');
            new TreeMap<>(map).forEach((k, v) -> {
                encode(k, out);
                encode(v, out);
            });
            out.write('e');
        } else if (o instanceof List<?> list) {
            out.write('l');
            list.forEach(x -> encode(x, out));
            out.write('e');
        } else {
            byte[] b = o.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
        }
    }

    private static Object decode(String in, int[] pos) {
        char c = in.charAt(pos[0]);
        if (c == 'd' || c == 'l') {
            pos[0]++;
            Map<String, Object> map = new TreeMap<>();
            List<Object> list = new ArrayList<>();
            while (in.charAt(pos[0]) != 'e') {
                if (c == 'd') {
                    String key = (String) decode(in, pos);
                    map.put(key, decode(in, pos));
                } else {
                    list.add(decode(in, pos));
                }
            }
            pos[0]++;
            return c == 'd' ? map : list;
        }
        if (c == 'i') {
            int end = in.indexOf('e', pos[0]);
            long v = Long.parseLong(in.substring(pos[0] + 1, end));
            pos[0] = end + 1;
            return v;
        }
        int colon = in.indexOf(':', pos[0]);
        int len = Integer.parseInt(in.substring(pos[0], colon));
        String s = new String(in.substring(colon + 1, colon + 1 + len).getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8);
        pos[0] = colon + 1 + len;
        return s;
    }
}
