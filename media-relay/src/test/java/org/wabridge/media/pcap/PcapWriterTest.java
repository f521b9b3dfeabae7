package org.wabridge.media.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture must open in an independent reader: tshark decodes our SIP and RTP records. */
class PcapWriterTest {

    @TempDir
    Path tmp;

    @Test
    void tsharkReadsSipAndRtpFromOurFile() throws Exception {
        PcapWriter pcap = new PcapWriter();
        InetSocketAddress pbx = new InetSocketAddress("127.0.0.1", 5090);
        InetSocketAddress bridge = new InetSocketAddress("127.0.0.1", 5060);
        String invite = "INVITE sip:+4915112345678@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK1\r\nFrom: <sip:+15550100001@127.0.0.1>;tag=1\r\n"
                + "To: <sip:+4915112345678@127.0.0.1>\r\nCall-ID: pcap-test\r\nCSeq: 1 INVITE\r\n"
                + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        byte[] sip = invite.getBytes(StandardCharsets.US_ASCII);
        long t0 = 1_795_000_000_000_000L;
        pcap.udp(t0, pbx, bridge, sip, sip.length);
        InetSocketAddress pbxMedia = new InetSocketAddress("127.0.0.1", 17000);
        InetSocketAddress relayMedia = new InetSocketAddress("127.0.0.1", 30000);
        for (int i = 0; i < 50; i++) {
            byte[] rtp = new byte[12 + 160];
            rtp[0] = (byte) 0x80;
            rtp[2] = (byte) (i >> 8);
            rtp[3] = (byte) i;
            int ts = i * 160;
            rtp[4] = (byte) (ts >> 24);
            rtp[5] = (byte) (ts >> 16);
            rtp[6] = (byte) (ts >> 8);
            rtp[7] = (byte) ts;
            rtp[8] = 0x12;
            rtp[11] = 0x34;
            pcap.udp(t0 + 20_000L * (i + 1), pbxMedia, relayMedia, rtp, rtp.length);
        }
        InetSocketAddress v6a = new InetSocketAddress("::1", 5061);
        InetSocketAddress v6b = new InetSocketAddress("::1", 40000);
        pcap.udp(t0 + 2_000_000, v6a, v6b, sip, sip.length);
        assertEquals(52, pcap.records());
        Path file = tmp.resolve("call.pcap");
        Files.write(file, pcap.toByteArray());

        String sipLines = tshark(file, "-Y", "sip.Method == \"INVITE\"", "-T", "fields", "-e", "sip.Call-ID", "-e", "ip.src",
                "-e", "ipv6.src");
        assertEquals(2, sipLines.lines().filter(l -> l.startsWith("pcap-test")).count(), sipLines);
        assertTrue(sipLines.contains("::1"), sipLines);
        String streams = tshark(file, "-d", "udp.port==30000,rtp", "-q", "-z", "rtp,streams");
        assertTrue(streams.contains("0x12000034"), streams);
        assertTrue(streams.lines().anyMatch(l -> l.contains("17000") && l.contains(" 50 ")), streams);
    }

    private static String tshark(Path file, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tshark hung");
        assertEquals(0, p.exitValue(), "tshark failed: " + out);
        return out;
    }
}
