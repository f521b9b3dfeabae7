package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * Media through the whole bridge, judged by an independent SRTP implementation. SIPp plays the PBX and sends
 * real RTP (PCMA from the packaged g711a.pcap, an RFC 4733 digit from dtmf_2833_1.pcap) with silent periods
 * around it; the bridge relays to the Kamailio edge over TLS (407 digest); baresip answers as the WhatsApp
 * user with mandatory SDES-SRTP and sends a tone from a wav file. The evidence comes from the peers: baresip's
 * own receive statistics and DTMF log, the bridge's call-end counters, and a tshark capture of the bridge's
 * media ports.
 */
class FullStackMediaTest {

    static final String PASSWORD = "lab-secret";
    /** The PBX scenario's timeline after its ACK (see pbx-uac-call-rtp.xml). */
    static final double PBX_SILENT_BEFORE_AUDIO_S = 4.0;
    static final double PBX_TRAILING_SILENCE_S = 8.0;
    static final int PBX_PCAP_PACKETS = 236 + 10; // g711a.pcap + dtmf_2833_1.pcap

    @TempDir
    Path tmp;

    /** Also with media.sharedPorts: SIPp and baresip send from the ports their SDP names, as that mode needs. */
    @ParameterizedTest(name = "sharedPorts={0}")
    @ValueSource(booleans = {false, true})
    void srtpMediaDtmfAndSilenceFillReachAnIndependentSrtpPeer(boolean sharedPorts) throws Exception {
        for (String tool : List.of("baresip", "sipp", "tshark", "kamailio")) {
            Lab.requireTool(tool);
        }
        Path certs = Lab.certs(tmp.resolve("certs"));
        Path wav = writeToneWav(tmp.resolve("tone.wav"), 440, 40);
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int pbxMediaPort = Lab.freePortRange(4);
        Path pbxDir = Files.createDirectories(tmp.resolve("pbx"));
        Files.createSymbolicLink(pbxDir.resolve("pcap"), Path.of("/usr/share/sip-tester"));
        Path capture = tmp.resolve("media.pcapng");

        try (Lab.Edge edge = new Lab.Edge(tmp.resolve("edge"), certs, PASSWORD, "MD5", "edge", Lab.freePortRange(2));
             Baresip whatsAppUser = new Baresip(tmp.resolve("baresip"), edge.uasPort, wav);
             LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(
                     ports.mediaSettings().withSharedPorts(sharedPorts));
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.tlsPort, PASSWORD, Map.of(), relay);
             Tshark tshark = Tshark.start(capture, "udp portrange " + ports.mediaMin + "-" + ports.mediaMax,
                     tmp.resolve("tshark.err"))) {

            int pbxExit;
            String pbxOutput;
            try (Lab.Sipp pbx = Lab.Sipp.start(pbxDir, "pbx", List.of("127.0.0.1:" + bridge.pbxPort,
                    "-sf", Lab.scenario("pbx-uac-call-rtp.xml").toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                    "-s", "+15550100099", "-mp", "" + pbxMediaPort, "-m", "1",
                    "-timeout", "45s", "-timeout_error"))) {
                pbxExit = pbx.await(50);
                pbxOutput = pbx.output();
            }
            for (int i = 0; i < 50 && bridge.b2bua.activeCalls() > 0; i++) {
                Thread.sleep(100);
            }
            Thread.sleep(300); // the last packets on the wire and baresip's end-of-call report
            tshark.stop();
            String bridgeLog = text(log);
            String baresipLog = whatsAppUser.log();
            String peers = "\n--- bridge log:\n" + bridgeLog + "\n--- baresip log:\n" + baresipLog
                    + "\n--- PBX (SIPp):\n" + pbxOutput;
            assertTrue(!baresipLog.contains("RTP packets received for"), "baresip hung up because no media reached "
                    + "it for 3 s (Meta ends a call the same way, 408 RTP timeout)" + peers);
            assertEquals(0, pbxExit, "the PBX's call (INVITE, 200 with PCMA, ACK, media, BYE) must complete" + peers
                    + "\n--- edge log:\n" + edge.log());
            assertEquals(0, ((NettyMediaRelay) relay).unmatchedSharedPackets(), "every packet found its call" + peers);

            // 1. baresip decrypted our SRTP; the bridge authenticated baresip's SRTP.
            int[] received = baresipCounts(baresipLog, "packets:");
            int[] errors = baresipCounts(baresipLog, "errors:");
            assertTrue(received[1] > PBX_PCAP_PACKETS, "baresip must receive more packets than the PBX sent "
                    + "(relayed audio plus silence fill), got " + received[1] + peers);
            assertEquals(0, errors[1], "baresip must count no receive errors" + peers);
            assertTrue(!baresipLog.contains("failed to decrypt"), "baresip failed to unprotect our SRTP/SRTCP" + peers);
            assertTrue(baresipLog.contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), peers);
            Map<String, Long> meta = legStats(bridgeLog, "meta");
            Map<String, Long> pbxLeg = legStats(bridgeLog, "pbx");
            assertTrue(meta.get("packetsIn") > 100, "baresip's audio must reach the bridge" + peers);
            assertTrue(pbxLeg.get("packetsIn") >= PBX_PCAP_PACKETS - 5, "the PBX's RTP must reach the bridge" + peers);
            List<Packet> packets = Tshark.read(capture);
            String wire = "\n--- capture summary: " + summary(packets) + peers;
            // baresip's srtp module sends in clear until its keys are set (its send handler passes packets through
            // while !use_srtp), so its first audio frame may go out as plain RTP: those, and only those, may fail
            int metaPort = metaMediaPort(bridgeLog);
            long plainFromBaresip = packets.stream().filter(p -> p.srcPort == metaPort && p.payloadType == 8
                    && p.udpLength == 8 + 12 + 160).count();
            assertTrue(plainFromBaresip <= 3, "baresip sent " + plainFromBaresip + " plain RTP packets" + wire);
            assertTrue(meta.get("authFailures") <= plainFromBaresip, "the bridge must authenticate all of baresip's "
                    + "SRTP; failures beyond its " + plainFromBaresip + " plain start-up packets" + wire);

            // 2. baresip's audio reaches the PBX's media port as RTP.
            List<Packet> toPbx = packets.stream().filter(p -> p.dstPort == pbxMediaPort).toList();
            assertTrue(toPbx.size() > 100, "RTP toward the PBX's media port " + pbxMediaPort + ": " + toPbx.size() + wire);
            assertTrue(toPbx.stream().allMatch(p -> p.payloadType == 8 || p.payloadType == 101 || p.payloadType < 0),
                    "the PBX negotiated PCMA (8); got other payload types" + wire);

            // 3. The PBX's RFC 4733 digit arrives at baresip as a DTMF event.
            assertTrue(baresipLog.contains("received event: '1' (end=1)"), "baresip must report the digit 1" + peers);

            // 4. Meta hears from us first, and keeps hearing while the PBX is silent.
            List<Packet> toMeta = packets.stream().filter(p -> p.dstPort == metaPort).toList();
            List<Packet> fromPbx = packets.stream().filter(p -> p.srcPort == pbxMediaPort).toList();
            assertTrue(!toMeta.isEmpty() && !fromPbx.isEmpty(), "packets toward baresip and from the PBX" + wire);
            if (sharedPorts) { // the first block of the range is the shared PBX one; Meta's media leaves from the
                // third port of the call's own block (Meta's relays serve many calls from one address)
                int sharedBase = (ports.mediaMin + 1) & ~1;
                List<Integer> metaSources = toMeta.stream().map(p -> p.srcPort).distinct().toList();
                assertEquals(1, metaSources.size(), "media toward Meta from one port" + wire);
                int callMetaPort = metaSources.get(0);
                assertTrue(callMetaPort > sharedBase + 2 && (callMetaPort - sharedBase) % 4 == 2,
                        "media toward Meta from the call's own block, not the shared one at " + sharedBase + wire);
            }
            double firstToMeta = toMeta.get(0).time;
            double firstFromPbx = fromPbx.get(0).time;
            assertTrue(firstToMeta + PBX_SILENT_BEFORE_AUDIO_S - 1 < firstFromPbx, "the bridge must send to Meta "
                    + "before the PBX sends anything: first to Meta at " + firstToMeta + ", first PBX packet at "
                    + firstFromPbx + wire);
            Map<Integer, Integer> beforePbx = packetsPerSecond(toMeta, firstToMeta, 1, PBX_SILENT_BEFORE_AUDIO_S - 1);
            assertEquals((int) PBX_SILENT_BEFORE_AUDIO_S - 2, beforePbx.size(), "every second before the PBX's "
                    + "first packet must carry packets toward Meta, per second after our first one: " + beforePbx + wire);
            assertTrue(beforePbx.values().stream().allMatch(n -> n >= 25), "at least 25 packets/s toward Meta "
                    + "before the PBX sends, got " + beforePbx + wire);
            double lastFromPbx = fromPbx.get(fromPbx.size() - 1).time;
            Map<Integer, Integer> perSecond = packetsPerSecond(toMeta, lastFromPbx, 1, PBX_TRAILING_SILENCE_S - 1);
            assertEquals((int) PBX_TRAILING_SILENCE_S - 2, perSecond.size(), "every second of the PBX's silence "
                    + "must carry packets toward Meta, per second after the PBX's last packet: " + perSecond + wire);
            assertTrue(perSecond.values().stream().allMatch(n -> n >= 25), "at least 25 packets/s toward Meta "
                    + "while the PBX is silent (20 ms silence frames), got " + perSecond + wire);
            List<Integer> rxBitrates = baresipRxBitratePerSecond(baresipLog);
            int callSeconds = rxBitrates.size();
            List<Integer> trailing = rxBitrates.subList(Math.max(0, callSeconds - 6), Math.max(0, callSeconds - 1));
            // baresip averages over ~3 s windows; one of them may still hold the 1 s before the fill resumes
            assertTrue(trailing.size() == 5 && trailing.stream().allMatch(b -> b > 20000)
                    && trailing.stream().anyMatch(b -> b >= 60000), "baresip's own receive bitrate must stay up "
                    + "(a full window at G.711's 64 kbit/s) while the PBX is silent at the end of the call, last "
                    + "seconds: " + trailing + " of " + rxBitrates + peers);
            System.out.printf("full-stack media: baresip tx/rx %d/%d, to PBX %d, to Meta %d (first %.2f s before "
                    + "the PBX's first packet), packets/s toward Meta before the PBX %s and while it is silent %s, "
                    + "baresip rx bit/s per second %s, bridge meta %s, pbx %s, plain RTP from baresip %d%n",
                    received[0], received[1],
                    toPbx.size(), toMeta.size(), firstFromPbx - firstToMeta, beforePbx, perSecond, rxBitrates, meta,
                    pbxLeg, plainFromBaresip);
        }
    }

    /**
     * The bridge's log so far. LogCapture's lock is not the one logback appends under, so a read while the
     * relay is still logging can hit a ConcurrentModificationException: read again.
     */
    static String text(LogCapture log) {
        for (int attempt = 1; ; attempt++) {
            try {
                return log.text();
            } catch (ConcurrentModificationException appendedMeanwhile) {
                if (attempt == 20) {
                    throw appendedMeanwhile;
                }
            }
        }
    }

    /** baresip's end-of-call row such as "packets:   401   400" as {transmit, receive}. */
    static int[] baresipCounts(String baresipLog, String row) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(row) + "\\s+(\\d+)\\s+(\\d+)").matcher(baresipLog);
        assertTrue(m.find(), "baresip printed no '" + row + "' row (call statistics) in:\n" + baresipLog);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** The receive bitrate of each second of the call from baresip's "[h:mm:ss] audio=TX/RX (bit/s)" line. */
    static List<Integer> baresipRxBitratePerSecond(String baresipLog) {
        Map<String, Integer> bySecond = new TreeMap<>();
        Matcher m = Pattern.compile("\\[(\\d+:\\d\\d:\\d\\d)] audio=(\\d+)/(\\d+)").matcher(baresipLog);
        while (m.find()) {
            bySecond.put(m.group(1), Integer.parseInt(m.group(3))); // the last report of each second
        }
        return new ArrayList<>(bySecond.values());
    }

    /** The counters of one leg from the bridge's "call ended ... media=MediaStats[...]" line. */
    static Map<String, Long> legStats(String bridgeLog, String leg) {
        Matcher m = Pattern.compile(leg + "=LegStats\\[([^]]*)]").matcher(bridgeLog.substring(
                Math.max(0, bridgeLog.lastIndexOf("call ended"))));
        assertTrue(bridgeLog.contains("call ended") && m.find(), "no '" + leg + "' counters in the bridge's call-end "
                + "line:\n" + bridgeLog);
        Map<String, Long> stats = new TreeMap<>();
        for (String pair : m.group(1).split(",\\s*")) {
            String[] kv = pair.split("=");
            stats.put(kv[0], Long.parseLong(kv[1]));
        }
        return stats;
    }

    /**
     * The port the bridge sends Meta's media to, from "call ID: Meta leg started, keyed by SDES toward
     * /127.0.0.1:PORT" (not the relay's start-up warm-up call, which sends to a local socket of its own).
     */
    static int metaMediaPort(String bridgeLog) {
        Matcher m = Pattern.compile("call (?!media-warm-up:)\\S+: Meta leg started, keyed by SDES toward [^ ]*:(\\d+)")
                .matcher(bridgeLog);
        assertTrue(m.find(), "the bridge never started the Meta media leg:\n" + bridgeLog);
        return Integer.parseInt(m.group(1));
    }

    /** Packets per whole second counted from {@code origin}, for seconds in [from, to). */
    static Map<Integer, Integer> packetsPerSecond(List<Packet> packets, double origin, double from, double to) {
        Map<Integer, Integer> perSecond = new TreeMap<>();
        for (Packet p : packets) {
            double since = p.time - origin;
            if (since >= from && since < to) {
                perSecond.merge((int) since, 1, Integer::sum);
            }
        }
        return perSecond;
    }

    static String summary(List<Packet> packets) {
        Map<String, Integer> flows = new TreeMap<>();
        packets.forEach(p -> flows.merge(p.srcPort + "->" + p.dstPort, 1, Integer::sum));
        return packets.size() + " packets, per flow " + flows;
    }

    /** A 16-bit mono 8 kHz PCM wav with a sine tone: baresip's microphone. */
    static Path writeToneWav(Path file, int hz, int seconds) throws IOException {
        return writeToneWav(file, hz, 8000, 1, seconds);
    }

    /** A sine tone as 16-bit PCM wav at {@code rate} Hz with {@code channels} identical channels. */
    static Path writeToneWav(Path file, int hz, int rate, int channels, int seconds) throws IOException {
        int frames = rate * seconds;
        int bytes = frames * channels * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + bytes)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) channels).putInt(rate).putInt(rate * channels * 2).putShort((short) (channels * 2))
                .putShort((short) 16).put("data".getBytes(StandardCharsets.US_ASCII)).putInt(bytes);
        for (int i = 0; i < frames; i++) {
            short sample = (short) (8000 * Math.sin(2 * Math.PI * hz * i / rate));
            for (int c = 0; c < channels; c++) {
                b.putShort(sample);
            }
        }
        return Files.write(file, b.array());
    }

    /** baresip as the WhatsApp user behind the edge, through scripts/lab/baresip-meta.sh (stopped by PID). */
    static final class Baresip implements AutoCloseable {
        private final Path runDir;
        private final Map<String, String> env;

        Baresip(Path runDir, int sipPort, Path wav) throws Exception {
            this(runDir, sipPort, wav, Map.of());
        }

        /** {@code extra}: more settings of the script, such as MEDIAENC, DIAL, AUTH_USER, AUTH_PASS, WA_USER. */
        Baresip(Path runDir, int sipPort, Path wav, Map<String, String> extra) throws Exception {
            this.runDir = runDir;
            Map<String, String> all = new HashMap<>(Map.of("SIP_PORT", "" + sipPort, "WAV", wav.toString(),
                    "RTP_TIMEOUT", "3"));
            all.putAll(extra);
            this.env = Map.copyOf(all);
            Lab.run(List.of("bash", script(), "start", runDir.toString()), env, 20);
        }

        private static String script() {
            return Lab.repoRoot().resolve("scripts/lab/baresip-meta.sh").toString();
        }

        String log() throws IOException {
            Path log = runDir.resolve("baresip.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8).replace('\r', '\n') : "";
        }

        @Override
        public void close() throws Exception {
            Lab.run(List.of("bash", script(), "stop", runDir.toString()), env, 20);
        }
    }

    /** One captured UDP packet: arrival time, ports, the RTP payload type (-1 if not RTP) and the UDP length. */
    record Packet(double time, int srcPort, int dstPort, int payloadType, int udpLength) {}

    /** A tshark capture on the loopback interface, written to a file and read back after the call. */
    static final class Tshark implements AutoCloseable {
        private final Process process;
        private final Path errors;

        private Tshark(Process process, Path errors) {
            this.process = process;
            this.errors = errors;
        }

        static Tshark start(Path file, String filter, Path errors) throws Exception {
            Process p = new ProcessBuilder("tshark", "-i", "lo", "-f", filter, "-w", file.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errors.toFile()).start();
            Tshark tshark = new Tshark(p, errors);
            for (int i = 0; i < 100; i++) {
                String err = Files.exists(errors) ? Files.readString(errors) : "";
                if (err.contains("Capturing on")) {
                    return tshark;
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("tshark could not capture on lo (it needs root or the "
                            + "wireshark group): " + err);
                }
                Thread.sleep(100);
            }
            tshark.close();
            throw new IllegalStateException("tshark did not start capturing within 10 s: " + Files.readString(errors));
        }

        /** SIGTERM lets tshark finish writing the file. */
        void stop() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }

        static List<Packet> read(Path file) throws Exception {
            Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-d", "udp.port==1-65535,rtp",
                    "-T", "fields", "-E", "separator=,", "-e", "frame.time_relative", "-e", "udp.srcport",
                    "-e", "udp.dstport", "-e", "rtp.p_type", "-e", "udp.length").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tshark -r did not finish");
            List<Packet> packets = new ArrayList<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split(",", -1);
                if (f.length >= 5 && !f[1].isEmpty()) {
                    int pt = f[3].isEmpty() ? -1 : Integer.parseInt(f[3].trim());
                    packets.add(new Packet(Double.parseDouble(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), pt,
                            Integer.parseInt(f[4].trim())));
                }
            }
            return packets;
        }

        @Override
        public void close() throws Exception {
            stop();
        }
    }
}
