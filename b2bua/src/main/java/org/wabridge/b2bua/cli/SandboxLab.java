package org.wabridge.b2bua.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.b2bua.ops.FanOutObserver;
import org.wabridge.b2bua.ops.Operations;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;
import org.wabridge.sandbox.LabCa;
import org.wabridge.sandbox.PbxStandIn;
import org.wabridge.sandbox.SandboxEdge;
import org.wabridge.sandbox.SandboxSettings;

/**
 * The bridge with {@code sip-config/examples/lab.yaml} (free ports, state in a temporary directory), the sandbox's
 * Meta edge and its PBX stand-in, all started in this JVM; what the demo and the tests place calls through.
 * Records every call's SIP ladder (by call id), the edge's and stand-in's notes, and the bridge's call ends.
 * The temporary directory (call log, captures, the lab's certificates and keys) goes with {@link #close} unless
 * {@link #keepState} was called: every demo run and sandbox test used to leave one behind in /tmp.
 */
final class SandboxLab implements AutoCloseable {

    final Path run;
    final Map<String, String> env;
    final BridgeConfig config;
    final List<String> notes = new CopyOnWriteArrayList<>();
    final Map<String, List<String>> ladders = new LinkedHashMap<>();
    final List<CallEnd> ends = new CopyOnWriteArrayList<>();
    final SandboxSettings settings;
    private final List<AutoCloseable> started = new ArrayList<>();
    private Operations ops;
    private SandboxEdge edge;
    private PbxStandIn pbx;
    private boolean keepState;

    /**
     * @param metaEdge    HOST[:PORT] of an external edge, or null for the sandbox's own
     * @param environment what {@code ${NAME}} in lab.yaml reads; ports, paths and the number are set here
     */
    private SandboxLab(Path root, String metaEdge, Map<String, String> environment) throws Exception {
        run = Files.createTempDirectory("wa-bridge-sandbox-");
        Path certs = run.resolve("certs");
        env = new HashMap<>(environment);
        for (String port : List.of("PBX_LISTEN_PORT", "META_LISTEN_PORT", "EDGE_TLS_PORT", "PBX_STANDIN_PORT",
                "ADMIN_PORT")) {
            env.put(port, "" + freePort());
        }
        int mediaBase = mediaBase(SandboxLab::freePort, Stream.of("PBX_LISTEN_PORT", "META_LISTEN_PORT",
                "EDGE_TLS_PORT", "PBX_STANDIN_PORT", "ADMIN_PORT").map(env::get).toList());
        env.put("MEDIA_PORT_MIN", "" + mediaBase);
        env.put("MEDIA_PORT_MAX", "" + (mediaBase + MEDIA_PORTS - 1));
        env.put("PBX_TARGET", "sip:127.0.0.1:" + env.get("PBX_STANDIN_PORT"));
        env.put("BUSINESS_NUMBER", SandboxDemo.BUSINESS);
        env.putIfAbsent("META_SIP_PASSWORD", "lab-secret");
        env.putIfAbsent("SRTP_KEY_EXCHANGE", "SDES"); // the sandbox keys by DTLS too (business-initiated calls)
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
        config = ConfigLoader.load(yaml, env);
        settings = SandboxSettings.of(config, ConfigLoader.loadSandbox(yaml, env));
        LabCa.ensure(certs, "wa.meta.vc", config.meta().sipServerHostname());
    }

    /** Starts the bridge (with its call log), the edge (unless external) and the PBX stand-in. */
    static SandboxLab start(Path root, String metaEdge, Map<String, String> environment) throws Exception {
        SandboxLab lab = new SandboxLab(root, metaEdge, environment);
        try {
            // the stand-in first: its port was only known free a moment ago, and the bridge and edge open sockets
            lab.pbx = PbxStandIn.start("127.0.0.1", Integer.parseInt(lab.env.get("PBX_STANDIN_PORT")),
                    PbxStandIn.Answer.ANSWER, Duration.ofMillis(300), null, "1#", lab.notes::add);
            lab.started.add(lab.pbx);
            lab.ops = Operations.start(lab.config, () -> true);
            lab.started.add(lab.ops);
            lab.started.add(RunCommand.Running.start(lab.config, new FanOutObserver(List.of(lab.ladder(),
                    lab.ops.observer()))));
            if (metaEdge == null) {
                lab.edge = SandboxEdge.start(lab.settings, lab.notes::add);
                lab.started.add(lab.edge);
            }
            return lab;
        } catch (Exception e) {
            lab.close();
            throw e;
        }
    }

    /** The sandbox's edge, or null with an external one. */
    SandboxEdge edge() {
        return edge;
    }

    PbxStandIn pbx() {
        return pbx;
    }

    int bridgePbxPort() {
        return Integer.parseInt(env.get("PBX_LISTEN_PORT"));
    }

    private CallObserver ladder() {
        return new CallObserver() {
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
    }

    /** {@link #close} leaves the state directory ({@link #run}) for whoever reads it afterwards. */
    void keepState() {
        keepState = true;
    }

    /**
     * Stops the PBX stand-in, the edge, the bridge, then the call log (which writes its last rows); then removes
     * the state directory unless {@link #keepState} was called.
     */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                notes.add("stopping " + started.get(i).getClass().getSimpleName() + ": " + e);
            }
        }
        started.clear();
        if (!keepState) {
            String problem = deleteState();
            if (problem != null) {
                notes.add(problem);
            }
        }
    }

    /** Removes the state directory and everything in it; null when done, else what stopped it (the rest stays). */
    String deleteState() {
        if (!Files.exists(run)) {
            return null;
        }
        try (Stream<Path> all = Files.walk(run)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return null;
        } catch (IOException | java.io.UncheckedIOException e) {
            return "could not remove " + run + " (call log, captures, certificates): " + e;
        }
    }

    /** Media ports the sandbox and the demo give the bridge. */
    static final int MEDIA_PORTS = 100;

    /**
     * The first of {@link #MEDIA_PORTS} media ports: even, from {@code candidates} (free ports), and with none of the
     * lab's other ports inside the range. Free ports come from the kernel's ephemeral range, so a range drawn there
     * could hold one of the lab's own ports (the PBX stand-in's, a listener's), which the media relay may bind first:
     * the demo then failed now and then with "Address already in use" for the stand-in.
     * {@code others} are the other ports as the environment gives them; what is not a number is no port.
     */
    static int mediaBase(java.util.function.IntSupplier candidates, java.util.Collection<String> others) {
        List<Integer> taken = others.stream().filter(p -> p != null && p.matches("\\d{1,5}")).map(Integer::valueOf)
                .toList();
        for (int i = 0; i < 100; i++) {
            int base = Math.min(candidates.getAsInt() & ~1, 60000);
            if (taken.stream().noneMatch(p -> p >= base && p < base + MEDIA_PORTS)) {
                return base;
            }
        }
        throw new IllegalStateException("no media port range on 127.0.0.1 clear of the lab's ports " + taken);
    }

    /** A port free for TCP and UDP on 127.0.0.1. */
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
