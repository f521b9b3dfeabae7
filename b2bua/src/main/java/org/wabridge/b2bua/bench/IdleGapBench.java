package org.wabridge.b2bua.bench;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Does the same signalling work cost more CPU when the thread sleeps between messages? One unit is JAIN-SIP
 * parsing and encoding four INVITEs with an SDES offer; its thread CPU time is measured around the unit only (the
 * sleeps are not counted), back to back and with gaps as a bridge sees them at 500, 100 and 20 calls/s. A machine
 * where the gaps make the unit dearer charges a quiet bridge more per call whatever the code does
 * (BENCHMARKS.md, "The same work, sparser").
 *
 * <pre>java -cp b2bua/target/classes:$CP org.wabridge.b2bua.bench.IdleGapBench [units per gap] [rounds]</pre>
 */
public final class IdleGapBench {

    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 20000 RTP/SAVP 111 0 8 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=rtcp-mux\r\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\na=sendrecv\r\n";
    private static final long[] GAPS_MICROS = {0, 200, 1000, 5000};
    private static long sink;

    private IdleGapBench() {
    }

    private static String invite(int n) {
        return "INVITE sip:+15550100001@wa.meta.vc;transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-" + n + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:+15550100099@bridge.example>;tag=" + n + "\r\n"
                + "To: <sip:+15550100001@wa.meta.vc>\r\nCall-ID: " + n + "@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
                + "Contact: <sip:+15550100099@127.0.0.1:5061;transport=tls>\r\nContent-Type: application/sdp\r\n"
                + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP;
    }

    private static void unit(int n) throws Exception {
        for (int k = 0; k < 4; k++) {
            SIPMessage m = new StringMsgParser().parseSIPMessage(invite(n).getBytes(StandardCharsets.US_ASCII),
                    true, false, null);
            sink += m.encode().length();
        }
    }

    public static void main(String[] args) throws Exception {
        int units = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) {
            unit(i); // compiled before anything is measured
        }
        System.out.println("| round | gap between units | unit CPU µs: mean | median | p90 |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int round = 1; round <= rounds; round++) {
            for (long gap : GAPS_MICROS) {
                long[] costs = new long[units];
                for (int i = 0; i < units; i++) {
                    long before = cpu.getCurrentThreadCpuTime();
                    unit(i);
                    costs[i] = cpu.getCurrentThreadCpuTime() - before;
                    if (gap > 0) {
                        LockSupport.parkNanos(gap * 1000);
                    }
                }
                Arrays.sort(costs);
                double mean = Arrays.stream(costs).average().orElse(0) / 1000;
                System.out.printf("| %d | %d µs | %.1f | %.1f | %.1f |%n", round, gap, mean,
                        costs[units / 2] / 1000.0, costs[units * 9 / 10] / 1000.0);
            }
        }
        System.err.println("(checksum " + sink + ")");
    }
}
