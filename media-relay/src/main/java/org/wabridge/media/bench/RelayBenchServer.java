package org.wabridge.media.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
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

/**
 * Benchmark driver (not part of the bridge): opens one relay session per rtpload call, side A as
 * the PBX (plain RTP) and side B as Meta (SDES SRTP), and tells rtpload where to send and which keys.
 *
 * <p>stdin: rtpload's {@code --print-ports} output ("index a_port b_port" lines, then END); after that
 * stdin is drained until rtpload exits, which ends this process. stdout: rtpload's session lines
 * "a_dest b_dest inline:b_tx_key inline:b_rx_key", then END.
 *
 * <p>Arguments: {@code --port-min P --port-max Q [--codec pcmu|opus]}. Loopback only.
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
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port-min" -> portMin = Integer.parseInt(args[i + 1]);
                case "--port-max" -> portMax = Integer.parseInt(args[i + 1]);
                case "--codec" -> codec = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --port-min P --port-max Q [--codec pcmu|opus]");
            }
        }
        boolean opus = codec.equals("opus");
        MediaSettings settings = new MediaSettings(MediaMode.RELAY, "127.0.0.1", "127.0.0.1", portMin, portMax,
                true, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofHours(1));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        SecureRandom random = new SecureRandom();
        List<MediaSession> sessions = new ArrayList<>();
        try (NettyMediaRelay relay = new NettyMediaRelay(settings)) {
            System.err.println("relay: epoll=" + relay.usesEpoll() + " ports " + portMin + "-" + portMax + " codec " + codec);
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
            long dropped = sessions.stream().mapToLong(s -> s.stats().meta().dropped() + s.stats().pbx().dropped()).sum();
            long authFailures = sessions.stream().mapToLong(s -> s.stats().meta().authFailures()).sum();
            System.err.println("relay: dropped " + dropped + " packets, " + authFailures + " SRTP auth failures");
            sessions.forEach(MediaSession::close);
        }
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
