package org.wabridge.b2bua.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.ops.CallLogText;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.sandbox.PbxStandIn;
import org.wabridge.sandbox.SandboxEdge;

/**
 * The Java-only demo on a {@link SandboxLab}: one business-initiated call (PBX stand-in -> bridge -> edge) and one
 * user-initiated call (edge -> bridge -> PBX stand-in), then each call's SIP ladder, the edge's decisions (the
 * digest steps), media counters on both sides and the call-log rows. With an external edge ({@code metaEdge})
 * only the business-initiated call is placed.
 */
final class SandboxDemo {

    static final String BUSINESS = "+15550100001";
    static final String USER = "+15550100099";

    private final Path root;
    private final String metaEdge;
    private final Duration hold;
    private final PrintStream out;
    private final Map<String, String> environment;
    /** The last run's state directory: removed after a passed demo, kept after a failed one. */
    Path state;

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

    /** Runs the calls; 0 when every call completed with media both ways, 1 otherwise. */
    int run() throws Exception {
        boolean ok;
        PbxStandIn.Result business;
        PbxStandIn.Result userCallAtPbx = null;
        SandboxEdge.CallResult userCall = null;
        List<String> edgeMedia = new ArrayList<>();
        SandboxLab lab = SandboxLab.start(root, metaEdge, environment);
        lab.keepState(); // the call log is read after the lab stops; the state goes once the demo has passed
        state = lab.run;
        try {
            lab.notes.add("DEMO business-initiated call: PBX stand-in " + BUSINESS + " -> bridge -> " + USER);
            business = lab.pbx().call("127.0.0.1", lab.bridgePbxPort(), USER, BUSINESS, hold).get(40, TimeUnit.SECONDS);
            // an external edge's user may send no media the bridge can decrypt (the Kamailio lab's SIPp echoes)
            ok = business.finalStatus() == 200 && (metaEdge != null || business.media().received() > 0);
            if (metaEdge != null) {
                lab.notes.add("DEMO external edge: the call must connect; media is reported, not judged");
            }
            SandboxEdge edge = lab.edge();
            if (edge != null) {
                // the PBX's BYE reaches the edge through the bridge a moment after the PBX hung up
                for (int i = 0; i < 50 && edge.finishedMedia().isEmpty(); i++) {
                    Thread.sleep(100);
                }
                edge.finishedMedia().forEach(c -> edgeMedia.add(c.toString()));
                ok &= !edge.finishedMedia().isEmpty() && edge.finishedMedia().get(0).received() > 0
                        && edge.finishedMedia().get(0).sent() > 0;
                lab.notes.add("DEMO user-initiated call: WhatsApp user " + lab.settings.caller()
                        + " -> bridge -> PBX stand-in");
                CompletableFuture<PbxStandIn.Result> atPbx = lab.pbx().nextCallFromBridge();
                userCall = edge.callBusiness(BUSINESS, hold).get(40, TimeUnit.SECONDS);
                userCallAtPbx = atPbx.get(10, TimeUnit.SECONDS);
                ok &= userCall.finalStatus() == 200 && userCall.challenged() && userCall.media().received() > 0
                        && userCall.media().sent() > 0 && userCallAtPbx.media().received() > 0;
            }
            Thread.sleep(500); // the bridge's last call-log writes
        } catch (Exception e) {
            out.println("demo FAILED: " + e + "; call log, captures and certificates kept in " + lab.run);
            throw e;
        } finally {
            lab.close();
        }
        printLadders(lab);
        out.println();
        out.println("Meta edge (sandbox) and PBX stand-in:");
        lab.notes.forEach(n -> out.println("  " + n));
        out.println();
        out.println("Media counters:");
        out.println("  business-initiated, PBX side: " + business.media());
        edgeMedia.forEach(m -> out.println("  business-initiated, Meta side: " + m));
        if (userCall != null) {
            out.println("  user-initiated, Meta side: " + userCall.media());
            out.println("  user-initiated, PBX side: " + (userCallAtPbx == null ? "-" : userCallAtPbx.media()
                    + "; X-WA headers at the PBX: " + userCallAtPbx.waHeaders()));
        }
        for (CallEnd end : lab.ends) {
            out.println("  bridge relay, call " + end.callId() + ": " + end.media());
        }
        out.println();
        out.println("Call log:");
        try (CallLogStore store = CallLogStore.openExisting(lab.config.callLog())) {
            out.print(CallLogText.table(store.calls(new CallQuery(null, false, 10))));
        }
        out.println();
        out.println(ok && metaEdge != null ? "demo completed: one business-initiated call through the edge at "
                + metaEdge : ok ? "demo completed: one call each way, digest answered, media both ways"
                : "demo FAILED: see the lines above; call log, captures and certificates kept in " + lab.run);
        if (ok) {
            String problem = lab.deleteState(); // everything in it was printed above
            if (problem != null) {
                out.println(problem);
            }
        }
        return ok ? 0 : 1;
    }

    private void printLadders(SandboxLab lab) {
        synchronized (lab.ladders) {
            int n = 1;
            for (Map.Entry<String, List<String>> call : lab.ladders.entrySet()) {
                out.println();
                out.println("SIP ladder of call " + n++ + " (" + call.getKey() + "; PBX = PBX stand-in, META = "
                        + (metaEdge == null ? "sandbox edge over TLS" : "edge at " + metaEdge) + "):");
                call.getValue().forEach(l -> out.println("  " + l));
            }
        }
    }
}
