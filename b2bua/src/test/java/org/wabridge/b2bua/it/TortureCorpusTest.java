package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * RFC 4475's torture messages and a malformed set sent to every listener of a running bridge (PBX side UDP and
 * TCP from an allowed source, Meta side TLS from a source outside meta.allowedSources, as a scanner would) while a
 * real call goes through it: every message gets its expected class of answer or none, the log has no ERROR and
 * no stack trace, the call completes, and threads and heap come back to where they were.
 */
@Tag("robustness")
class TortureCorpusTest {

    static final String PASSWORD = EdgeFixture.PASSWORD;
    /** Messages that are responses: a server never answers a response. */
    static final Set<String> RESPONSES = Set.of("scalarlg", "bigcode", "unreason", "noreason", "bcast",
            "response-to-nothing");
    /** Not SIP, or SIP without what every message must carry: 400 where the stack can answer, else dropped. */
    static final Set<String> GARBAGE = Set.of("binary-junk", "binary-after-start-line", "tls-client-hello-on-plain",
            "crlf-flood", "double-crlf-keepalives", "truncated-start-line", "truncated-in-headers", "missing-via",
            "missing-call-id", "missing-cseq", "missing-from-to", "insuf");
    /** Parse errors JAIN-SIP answers with 400 over UDP (RFC 4475 3.1.2 and the malformed set). */
    static final Set<String> BAD_REQUEST_OVER_UDP = Set.of("badinv01", "clerr", "ncl", "scalar02", "quotbal",
            "ltgtruri", "lwsruri", "mismatch01", "mismatch02", "via-without-transport", "content-length-not-a-number",
            "content-length-overflow");

    @RegisterExtension
    static final EdgeFixture EDGE = new EdgeFixture();

    /** The probe only needs to reach the listener; who the bridge is does not matter here. */
    static SSLContext trustingEveryone() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return ctx;
    }

    @Test
    void everyListenerAnswersOrDropsTheCorpusWhileACallCompletes() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, EDGE.certs(), EDGE.edge().tlsPort, PASSWORD, Map.of(),
                     relay)) {
            SipProbe probe = new SipProbe(trustingEveryone(), 800, 1500);
            int maxSize = 65536; // gov.nist.javax.sip.MAX_MESSAGE_SIZE in SipSignalling
            // the baseline: the bridge up and every listener having answered once
            for (String transport : List.of("UDP", "TCP", "TLS")) {
                probe.send(transport, "TLS".equals(transport) ? bridge.metaPort : bridge.pbxPort,
                        TortureCorpus.malformed(transport, maxSize).get(0));
            }
            int threadsBefore = settledThreads(Integer.MAX_VALUE);
            Set<String> namesBefore = threadNames();
            long heapBefore = heapAfterGc();

            List<TortureCorpus.Message> rfc = TortureCorpus.rfc4475();
            assertEquals(49, rfc.size(), "RFC 4475 section 3 has 49 messages");
            List<SipProbe.Answer> answers = new ArrayList<>();
            try (Lab.Sipp user = whatsAppUserAnswering()) {
                Thread.sleep(300); // let the UAS bind before the INVITE reaches it
                try (Lab.Sipp pbx = pbxCalling(bridge, 8000)) {
                    // the corpus arrives while the call is up (its INVITEs must not take the one WhatsApp user)
                    long deadline = System.currentTimeMillis() + 15_000;
                    while (!log.text().contains("PBX -> 200 OK (INVITE)") && System.currentTimeMillis() < deadline) {
                        Thread.sleep(50);
                    }
                    assertTrue(log.text().contains("PBX -> 200 OK (INVITE)"), "the call must connect:\n" + log.text());
                    ExecutorService pool = Executors.newFixedThreadPool(24);
                    List<Future<SipProbe.Answer>> pending = new ArrayList<>();
                    for (String transport : List.of("UDP", "TCP", "TLS")) {
                        int port = "TLS".equals(transport) ? bridge.metaPort : bridge.pbxPort;
                        List<TortureCorpus.Message> corpus = new ArrayList<>(rfc);
                        corpus.addAll(TortureCorpus.malformed(transport, maxSize));
                        for (TortureCorpus.Message m : corpus) {
                            pending.add(pool.submit(() -> probe.send(transport, port, m)));
                        }
                    }
                    for (Future<SipProbe.Answer> f : pending) {
                        answers.add(f.get());
                    }
                    pool.shutdown();
                    assertEquals(0, pbx.await(30), "the call placed during the corpus must complete\n" + pbx.output());
                    assertEquals(0, user.await(10), "the WhatsApp side must get its BYE\n" + user.output());
                }
            }
            String report = answers.stream().map(SipProbe.Answer::toString).collect(Collectors.joining("\n"));
            System.out.println("torture corpus answers:\n" + report);
            for (SipProbe.Answer a : answers) {
                assertTrue(!a.codes().contains(500), "a 500 means an exception in the bridge: " + a);
                if (RESPONSES.contains(a.message())) {
                    assertEquals("none", a.outcome(), "a response is never answered: " + a);
                } else if (GARBAGE.contains(a.message())) {
                    assertTrue(Set.of("none", "4xx").contains(a.outcome()) && !a.codes().contains(200),
                            "garbage gets 400 or nothing: " + a);
                } else if (a.message().equals("well-formed-options")) {
                    assertEquals(List.of(200), a.codes(), "the control OPTIONS is answered on every listener");
                } else if (a.transport().equals("UDP") && BAD_REQUEST_OVER_UDP.contains(a.message())) {
                    assertEquals(List.of(400), a.codes(), "a parse error over UDP gets 400: " + a);
                }
            }
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
            List<String> problems = log.problems().stream().map(l -> l.length() > 400 ? l.substring(0, 400) + "..." : l).toList();
            assertEquals(List.of(), problems, "no ERROR and no stack trace in the bridge's log");

            // JAIN-SIP's post-parsing pool and the bridge's call workers are fixed-size pools that start their
            // threads on demand; every other new thread (a connection's reader above all) must be gone
            int threadsAfter = settledThreads(threadsBefore);
            Set<String> added = threadNames();
            added.removeAll(namesBefore);
            added.removeIf(n -> n.startsWith("SIP-TCP-Core-PipelineThreadpool-") || n.startsWith("bridge-call-"));
            assertEquals(Set.of(), added, "threads left behind by the corpus (before " + threadsBefore + ", after "
                    + threadsAfter + ")");
            long heapAfter = heapAfterGc();
            assertTrue(heapAfter - heapBefore < 64L << 20, "heap back near baseline: before "
                    + (heapBefore >> 20) + " MB, after " + (heapAfter >> 20) + " MB");
            System.out.printf("torture corpus: %d messages per listener, %d answered, threads %d -> %d, heap %d -> %d MB%n",
                    answers.size() / 3, answers.stream().filter(a -> !a.codes().isEmpty()).count(), threadsBefore,
                    threadsAfter, heapBefore >> 20, heapAfter >> 20);
        }
    }

    static Lab.Sipp whatsAppUserAnswering() throws Exception {
        return Lab.Sipp.start(EDGE.dir("uas"), "uas", List.of("-sf", Lab.scenario("meta-uas-answer.xml").toString(),
                "-p", "" + EDGE.edge().uasPort, "-t", "u1", "-mp", "" + Lab.freePort(), "-m", "1",
                "-timeout", "40s", "-timeout_error"));
    }

    static Lab.Sipp pbxCalling(BridgeUnderTest bridge, long holdMillis) throws Exception {
        return Lab.Sipp.start(EDGE.dir("pbx"), "pbx", List.of("127.0.0.1:" + bridge.pbxPort,
                "-sf", Lab.scenario("pbx-uac-call.xml").toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1", "-d", "" + holdMillis,
                "-timeout", "40s", "-timeout_error"));
    }

    /** The live thread count once it stops falling (connection threads exit as their sockets close). */
    static int settledThreads(int target) throws InterruptedException {
        int count = ManagementFactory.getThreadMXBean().getThreadCount();
        for (int i = 0; i < 100 && count > target; i++) {
            Thread.sleep(100);
            count = ManagementFactory.getThreadMXBean().getThreadCount();
        }
        return count;
    }

    static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
