package org.wabridge.media.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.MediaSettings.MediaMode;
import org.wabridge.media.MediaSession;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * Benchmark driver (not part of the bridge): opens one relay session per rtpload call, side A as
 * the PBX (plain RTP) and side B as Meta (SDES SRTP), and tells rtpload where to send and which keys.
 *
 * <p>stdin: rtpload's {@code --print-ports} output ("index a_port b_port" lines, then END); after that
 * stdin is drained until rtpload exits, which ends this process. stdout: rtpload's session lines
 * "a_dest b_dest inline:b_tx_key inline:b_rx_key", then END.
 *
 * <p>Arguments: {@code --port-min P --port-max Q [--codec pcmu|opus] [--jit-warm-up PACKETS]
 * [--io-engine epoll|io_uring] [--shared-ports true|false]}. Loopback only.
 */
public final class RelayBenchServer {

    private static final Pattern MEDIA_PORT = Pattern.compile("m=audio (\\d+) ");
    private static final Pattern OUR_KEY = Pattern.compile("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\\S+)");

    private RelayBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int portMin = 20000;
        int portMax = 29999;
        String codec = "pcmu";
        int jitWarmUpPackets = 0;
        MediaSettings.IoEngine engine = MediaSettings.IoEngine.EPOLL;
        boolean sharedPorts = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port-min" -> portMin = Integer.parseInt(args[i + 1]);
                case "--port-max" -> portMax = Integer.parseInt(args[i + 1]);
                case "--codec" -> codec = args[i + 1];
                case "--jit-warm-up" -> jitWarmUpPackets = Integer.parseInt(args[i + 1]);
                case "--io-engine" -> engine = MediaSettings.IoEngine.valueOf(args[i + 1].toUpperCase());
                case "--shared-ports" -> sharedPorts = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --port-min P --port-max Q [--codec pcmu|opus] [--jit-warm-up PACKETS]"
                        + " [--io-engine epoll|io_uring] [--shared-ports true|false]");
            }
        }
        boolean opus = codec.equals("opus");
        MediaSettings settings = new MediaSettings(MediaMode.RELAY, "127.0.0.1", "127.0.0.1", portMin, portMax,
                true, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofHours(1)).withIoEngine(engine).withSharedPorts(sharedPorts);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        SecureRandom random = new SecureRandom();
        List<MediaSession> sessions = new ArrayList<>();
        try (NettyMediaRelay relay = new NettyMediaRelay(settings)) {
            System.err.println("relay: io engine " + relay.ioEngine() + " ports " + portMin + "-" + portMax + " codec " + codec);
            if (jitWarmUpPackets > 0) {
                long t0 = System.nanoTime();
                long relayed = jitWarmUp(relay, jitWarmUpPackets, random);
                System.err.printf("relay: JIT warm-up relayed %d of %d packets in %d ms%n", relayed,
                        jitWarmUpPackets, (System.nanoTime() - t0) / 1_000_000);
            }
            StringBuilder lines = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null && !line.trim().equals("END")) {
                String[] f = line.trim().split("\\s+");
                int aPort = Integer.parseInt(f[1]);
                int bPort = Integer.parseInt(f[2]);
                MediaSession session = relay.open("bench-" + f[0], (leg, silentFor) ->
                        System.err.println("call bench-" + f[0] + ": media timeout on " + leg));
                sessions.add(session);
                String pt = opus ? "111" : "0";
                String rtpmap = opus ? "a=rtpmap:111 opus/48000/2\r\n" : "a=rtpmap:0 PCMU/8000\r\n";
                String metaOffer = session.metaOfferFromPbxOffer(sdp(aPort, "RTP/AVP", pt, rtpmap));
                String bRxKey = find(OUR_KEY, metaOffer);
                int bDest = Integer.parseInt(find(MEDIA_PORT, metaOffer));
                byte[] bKey = new byte[30];
                random.nextBytes(bKey);
                String bTxKey = Base64.getEncoder().encodeToString(bKey);
                String pbxAnswer = session.pbxAnswerFromMetaAnswer(sdp(bPort, "RTP/SAVP", pt, rtpmap
                        + "a=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + bTxKey + "\r\n"));
                session.startMetaLeg(); // the bench's "Meta" has its answer at once
                int aDest = Integer.parseInt(find(MEDIA_PORT, pbxAnswer));
                lines.append(aDest).append(' ').append(bDest).append(" inline:").append(bTxKey)
                        .append(" inline:").append(bRxKey).append('\n');
            }
            out.print(lines);
            out.println("END");
            System.err.println("relay: " + sessions.size() + " sessions open");
            while ((line = in.readLine()) != null) {
                System.err.println("rtpload: " + line);
            }
            System.err.println("relay: " + relay.unmatchedSharedPackets() + " packets from no call's address (shared ports)");
            long dropped = sessions.stream().mapToLong(s -> s.stats().meta().dropped() + s.stats().pbx().dropped()).sum();
            long authFailures = sessions.stream().mapToLong(s -> s.stats().meta().authFailures()).sum();
            System.err.println("relay: dropped " + dropped + " packets, " + authFailures + " SRTP auth failures");
            sessions.forEach(MediaSession::close);
        }
    }

    /**
     * Steady state before the measurement: a relay runs for hours, a benchmark JVM starts a few seconds before its
     * load, and its JIT compilers would otherwise spend the measured phase compiling the packet path (a third of the
     * relay's CPU in a profile of a 300-call run). Relays {@code packets} packets, both ways, through a few calls of
     * its own on loopback (blocking sockets, one packet in flight per direction), then closes them.
     */
    private static long jitWarmUp(NettyMediaRelay relay, int packets, SecureRandom random) throws Exception {
        final int calls = 4;
        List<MediaSession> sessions = new ArrayList<>();
        List<DatagramSocket> sockets = new ArrayList<>();
        long relayed = 0;
        try {
            DatagramSocket[] pbx = new DatagramSocket[calls];
            DatagramSocket[] meta = new DatagramSocket[calls];
            SrtpEndpoint[] metaSrtp = new SrtpEndpoint[calls];
            InetSocketAddress[] toPbxPort = new InetSocketAddress[calls];
            InetSocketAddress[] toMetaPort = new InetSocketAddress[calls];
            InetAddress lo = InetAddress.getByName("127.0.0.1");
            for (int c = 0; c < calls; c++) {
                pbx[c] = new DatagramSocket(0, lo);
                meta[c] = new DatagramSocket(0, lo);
                sockets.add(pbx[c]);
                sockets.add(meta[c]);
                pbx[c].setSoTimeout(200);
                meta[c].setSoTimeout(200);
                MediaSession session = relay.open("jit-warm-up-" + c, (leg, silentFor) -> { });
                sessions.add(session);
                String rtpmap = "a=rtpmap:0 PCMU/8000\r\n";
                String metaOffer = session.metaOfferFromPbxOffer(sdp(pbx[c].getLocalPort(), "RTP/AVP", "0", rtpmap));
                byte[] metaKey = new byte[30];
                random.nextBytes(metaKey);
                String metaKeyText = Base64.getEncoder().encodeToString(metaKey);
                String pbxAnswer = session.pbxAnswerFromMetaAnswer(sdp(meta[c].getLocalPort(), "RTP/SAVP", "0", rtpmap
                        + "a=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + metaKeyText + "\r\n"));
                session.startMetaLeg();
                SrtpSuite suite = SrtpSuite.AES_CM_128_HMAC_SHA1_80;
                metaSrtp[c] = new SrtpEndpoint(new CryptoAttribute(1, suite,
                        metaKey), new CryptoAttribute(1, suite,
                        Base64.getDecoder().decode(find(OUR_KEY, metaOffer))));
                toPbxPort[c] = new InetSocketAddress(lo, Integer.parseInt(find(MEDIA_PORT, pbxAnswer)));
                toMetaPort[c] = new InetSocketAddress(lo, Integer.parseInt(find(MEDIA_PORT, metaOffer)));
            }
            byte[] in = new byte[2048];
            DatagramPacket received = new DatagramPacket(in, in.length);
            for (int i = 0; relayed < packets && i < packets; i++) {
                int c = i % calls;
                int seq = i / calls;
                byte[] rtp = new byte[12 + 160 + 16];
                rtp[0] = (byte) 0x80;
                rtp[2] = (byte) (seq >> 8);
                rtp[3] = (byte) seq;
                rtp[4] = (byte) (seq >> 8); // timestamp 160 * seq, roughly
                rtp[8] = 0x4D; // SSRC "META", the one the Meta side's SRTP context is made for
                rtp[9] = 0x45;
                rtp[10] = 0x54;
                rtp[11] = 0x41;
                pbx[c].send(new DatagramPacket(rtp, 12 + 160, toPbxPort[c]));
                PacketBuffer srtp = metaSrtp[c].protectRtp(rtp.clone(), 12 + 160);
                meta[c].send(new DatagramPacket(srtp.getBuffer(), srtp.getLength(),
                        toMetaPort[c]));
                try {
                    meta[c].receive(received);
                    pbx[c].receive(received);
                    relayed += 2;
                } catch (SocketTimeoutException e) {
                    // a silence or SRTCP packet in between, or a loss: keep going
                }
            }
        } finally {
            sessions.forEach(MediaSession::close);
            sockets.forEach(DatagramSocket::close);
        }
        return relayed;
    }

    private static String sdp(int port, String protocol, String pt, String attributes) {
        return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio " + port + " " + protocol + " " + pt
                + "\r\nc=IN IP4 127.0.0.1\r\n" + attributes + "a=ptime:20\r\na=sendrecv\r\n";
    }

    private static String find(Pattern pattern, String sdp) {
        Matcher m = pattern.matcher(sdp);
        if (!m.find()) {
            throw new IllegalStateException("relay SDP without " + pattern + ":\n" + sdp);
        }
        return m.group(1);
    }
}
