package org.wabridge.b2bua.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.b2bua.ops.CallLogText;
import org.wabridge.b2bua.ops.FanOutObserver;
import org.wabridge.b2bua.ops.Operations;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;
import org.wabridge.sandbox.LabCa;
import org.wabridge.sandbox.PbxStandIn;
import org.wabridge.sandbox.SandboxEdge;
import org.wabridge.sandbox.SandboxSettings;

/**
 * The Java-only demo: the bridge (lab configuration, free ports, state in a temporary directory), the sandbox's
 * Meta edge and its PBX stand-in, all in this JVM. Places one business-initiated call (PBX stand-in -> bridge ->
 * edge) and one user-initiated call (edge -> bridge -> PBX stand-in), then prints each call's SIP ladder, the
 * edge's decisions (the digest steps), media counters on both sides and the call-log rows. With an external
 * edge ({@code metaEdge}) only the business-initiated call is placed.
 */
final class SandboxDemo {

    static final String BUSINESS = "+15550100001";
    static final String USER = "+15550100099";

    private final Path root;
    private final String metaEdge;
    private final Duration hold;
    private final PrintStream out;
    private final Map<String, String> environment;

    SandboxDemo(Path root, String metaEdge, Duration hold, PrintStream out) {
        this(root, metaEdge, hold, out, System.getenv());
    }

    /** @param environment what {@code ${NAME}} in lab.yaml reads (tests set SANDBOX_DIGEST here) */
    SandboxDemo(Path root, String metaEdge, Duration hold, PrintStream out, Map<String, String> environment) {
        this.root = root;
        this.metaEdge = metaEdge;
        this.hold = hold;
        this.out = out;
        this.environment = environment;
    }

    /** Runs both calls; 0 when every call completed with media both ways, 1 otherwise. */
    int run() throws Exception {
        Path run = Files.createTempDirectory("wa-bridge-sandbox-demo-");
        Path certs = run.resolve("certs");
        Map<String, String> env = new HashMap<>(environment);
        for (String port : List.of("PBX_LISTEN_PORT", "META_LISTEN_PORT", "EDGE_TLS_PORT", "PBX_STANDIN_PORT",
                "ADMIN_PORT")) {
            env.put(port, "" + DemoPorts.freePort());
        }
        int mediaBase = Math.min(DemoPorts.freePort() & ~1, 60000);
        env.put("MEDIA_PORT_MIN", "" + mediaBase);
        env.put("MEDIA_PORT_MAX", "" + (mediaBase + 99));
        env.put("PBX_TARGET", "sip:127.0.0.1:" + env.get("PBX_STANDIN_PORT"));
        env.put("BUSINESS_NUMBER", BUSINESS);
        env.putIfAbsent("META_SIP_PASSWORD", "lab-secret");
        env.put("SRTP_KEY_EXCHANGE", "SDES");
        env.put("META_TLS_CERT", certs.resolve("bridge.pem").toString());
        env.put("META_TLS_KEY", certs.resolve("bridge.key").toString());
        env.put("CALL_LOG_FILE", run.resolve("calls.db").toString());
        env.put("CAPTURE_DIR", run.resolve("captures").toString());
        if (metaEdge == null) {
            env.put("META_EDGE", "sip:wa.meta.vc:" + env.get("EDGE_TLS_PORT") + ";transport=tls");
            env.put("META_EDGE_ADDRESS", "127.0.0.1");
            env.put("META_TLS_TRUST", certs.resolve("edge-ca.pem").toString());
        } else {
            String[] hostPort = metaEdge.split(":");
            env.put("META_EDGE", "sip:wa.meta.vc:" + (hostPort.length > 1 ? hostPort[1] : "5061") + ";transport=tls");
            env.put("META_EDGE_ADDRESS", hostPort[0]);
            env.putIfAbsent("META_TLS_TRUST", certs.resolve("edge-ca.pem").toString());
        }
        Path yaml = root.resolve("sip-config/examples/lab.yaml");
        BridgeConfig cfg = ConfigLoader.load(yaml, env);
        LabCa.ensure(certs, "wa.meta.vc", cfg.meta().sipServerHostname());

        List<String> notes = new CopyOnWriteArrayList<>();
        Map<String, List<String>> ladders = new LinkedHashMap<>();
        List<CallEnd> ends = new CopyOnWriteArrayList<>();
        CallObserver ladder = new CallObserver() {
            @Override
            public void sipMessage(SipMessageEvent m) {
                synchronized (ladders) {
                    ladders.computeIfAbsent(m.callId(), k -> new ArrayList<>())
                            .add(String.format("%-4s %s %s", m.leg(), m.outgoing() ? "->" : "<-", m.firstLine()));
                }
            }

            @Override
            public void callEnded(CallEnd end) {
                ends.add(end);
            }
        };
        boolean ok;
        PbxStandIn.Result business;
        PbxStandIn.Result userCallAtPbx = null;
        SandboxEdge.CallResult userCall = null;
        List<String> edgeMedia = new ArrayList<>();
        try (Operations ops = Operations.start(cfg, () -> true)) {
            try (RunCommand.Running bridge = RunCommand.Running.start(cfg,
                    new FanOutObserver(List.of(ladder, ops.observer())));
                 SandboxEdge edge = metaEdge != null ? null : SandboxEdge.start(
                         SandboxSettings.of(cfg, ConfigLoader.loadSandbox(yaml, env)), notes::add);
                 PbxStandIn pbx = PbxStandIn.start("127.0.0.1", Integer.parseInt(env.get("PBX_STANDIN_PORT")),
                         PbxStandIn.Answer.ANSWER, Duration.ofMillis(300), null, "1#", notes::add)) {
                notes.add("DEMO business-initiated call: PBX stand-in " + BUSINESS + " -> bridge -> " + USER);
                business = pbx.call("127.0.0.1", Integer.parseInt(env.get("PBX_LISTEN_PORT")), USER, BUSINESS, hold)
                        .get(40, TimeUnit.SECONDS);
                ok = business.finalStatus() == 200 && business.media().received() > 0;
                if (edge != null) {
                    // the PBX's BYE reaches the edge through the bridge a moment after the PBX hung up
                    for (int i = 0; i < 50 && edge.finishedMedia().isEmpty(); i++) {
                        Thread.sleep(100);
                    }
                    edge.finishedMedia().forEach(c -> edgeMedia.add(c.toString()));
                    notes.add("DEMO user-initiated call: WhatsApp user " + cfgCaller(edge, cfg, yaml, env)
                            + " -> bridge -> PBX stand-in");
                    CompletableFuture<PbxStandIn.Result> atPbx = pbx.nextCallFromBridge();
                    userCall = edge.callBusiness(BUSINESS, hold).get(40, TimeUnit.SECONDS);
                    userCallAtPbx = atPbx.get(10, TimeUnit.SECONDS);
                    ok &= userCall.finalStatus() == 200 && userCall.challenged() && userCall.media().received() > 0
                            && userCall.media().sent() > 0 && userCallAtPbx.media().received() > 0;
                    ok &= !edgeMedia.isEmpty() && edge.finishedMedia().get(0).received() > 0
                            && edge.finishedMedia().get(0).sent() > 0;
                }
                Thread.sleep(500); // the bridge's last call-log writes
            }
        }
        printLadders(ladders);
        out.println();
        out.println("Meta edge (sandbox) and PBX stand-in:");
        notes.forEach(n -> out.println("  " + n));
        out.println();
        out.println("Media counters:");
        out.println("  business-initiated, PBX side: " + business.media());
        edgeMedia.forEach(m -> out.println("  business-initiated, Meta side: " + m));
        if (userCall != null) {
            out.println("  user-initiated, Meta side: " + userCall.media());
            out.println("  user-initiated, PBX side: " + (userCallAtPbx == null ? "-" : userCallAtPbx.media()
                    + "; X-WA headers at the PBX: " + userCallAtPbx.waHeaders()));
        }
        for (CallEnd end : ends) {
            out.println("  bridge relay, call " + end.callId() + ": " + end.media());
        }
        out.println();
        out.println("Call log (" + env.get("CALL_LOG_FILE") + "):");
        try (CallLogStore store = CallLogStore.openExisting(cfg.callLog())) {
            out.print(CallLogText.table(store.calls(new CallQuery(null, false, 10))));
        }
        out.println();
        out.println(ok ? "demo completed: one call each way, digest answered, media both ways"
                : "demo FAILED: see the lines above; state in " + run);
        return ok ? 0 : 1;
    }

    private static String cfgCaller(SandboxEdge edge, BridgeConfig cfg, Path yaml, Map<String, String> env)
            throws Exception {
        return SandboxSettings.of(cfg, ConfigLoader.loadSandbox(yaml, env)).caller();
    }

    private void printLadders(Map<String, List<String>> ladders) {
        synchronized (ladders) {
            int n = 1;
            for (Map.Entry<String, List<String>> call : ladders.entrySet()) {
                out.println();
                out.println("SIP ladder of call " + n++ + " (" + call.getKey() + "; PBX = PBX stand-in, META = "
                        + (metaEdge == null ? "sandbox edge over TLS" : "edge at " + metaEdge) + "):");
                call.getValue().forEach(l -> out.println("  " + l));
            }
        }
    }

    /** Free loopback ports (TCP and UDP), as the Kamailio demo picks them. */
    static final class DemoPorts {
        private DemoPorts() {}

        static int freePort() {
            for (int i = 0; i < 100; i++) {
                try (var tcp = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                     var udp = new java.net.DatagramSocket(tcp.getLocalPort(), java.net.InetAddress.getLoopbackAddress())) {
                    return tcp.getLocalPort();
                } catch (IOException busy) {
                    // UDP side taken: try another
                }
            }
            throw new IllegalStateException("no free port on 127.0.0.1");
        }
    }
}
