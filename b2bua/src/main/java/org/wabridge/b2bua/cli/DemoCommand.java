package org.wabridge.b2bua.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bridge demo}: places one real call through the bridge on this machine. SIPp plays the PBX, Kamailio
 * plays Meta's edge over TLS with a 407 digest challenge, a SIPp UAS behind it plays the WhatsApp user; the
 * bridge runs with {@code sip-config/examples/lab.yaml}. Prints the SIP ladder of the call. {@code scripts/demo
 * --kamailio} runs it; the default {@code scripts/demo} is the Java-only {@code bridge sandbox --demo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Place one call PBX -> bridge -> Meta stand-in on loopback and print the SIP ladder.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--home", paramLabel = "DIR", description = "the bridge's install/repository directory "
            + "(holds scripts/lab, sipp-scenarios, sip-config/examples); default: $BRIDGE_HOME or .")
    Path home;

    @Option(names = "--hold", paramLabel = "MS", defaultValue = "3000", description = "how long the call stays up")
    int holdMillis;

    private final List<Process> processes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path root = home != null ? home : Path.of(System.getenv().getOrDefault("BRIDGE_HOME", "."));
        root = root.toAbsolutePath().normalize();
        for (String tool : List.of("sipp", "kamailio", "openssl")) {
            if (!onPath(tool)) {
                System.err.println("demo needs '" + tool + "': install with scripts/install-deps (Debian packages "
                        + "sip-tester kamailio kamailio-tls-modules openssl)");
                return 2;
            }
        }
        Path run = Files.createTempDirectory("wa-bridge-demo-");
        Path certs = run.resolve("certs");
        Map<String, String> env = new HashMap<>(System.getenv());
        // Free ports unless the caller chose them: the demo must not collide with a PBX or bridge on this host.
        for (String port : List.of("PBX_LISTEN_PORT", "META_LISTEN_PORT", "EDGE_TLS_PORT", "UAS_PORT", "EDGE_UDP_PORT",
                "PBX_SIPP_PORT", "PBX_MEDIA_PORT", "UAS_MEDIA_PORT")) {
            env.computeIfAbsent(port, k -> "" + freePort());
        }
        int mediaBase = SandboxLab.mediaBase(DemoCommand::freePort, List.of("PBX_LISTEN_PORT", "META_LISTEN_PORT",
                "EDGE_TLS_PORT", "UAS_PORT", "EDGE_UDP_PORT", "PBX_SIPP_PORT", "PBX_MEDIA_PORT", "UAS_MEDIA_PORT").stream()
                .map(env::get).toList());
        env.putIfAbsent("MEDIA_PORT_MIN", "" + mediaBase);
        env.putIfAbsent("MEDIA_PORT_MAX", "" + (mediaBase + SandboxLab.MEDIA_PORTS - 1));
        env.put("META_EDGE", "sip:wa.meta.vc:" + env.get("EDGE_TLS_PORT") + ";transport=tls");
        env.put("META_EDGE_ADDRESS", "127.0.0.1");
        env.put("META_TLS_TRUST", certs.resolve("edge-ca.pem").toString());
        env.put("META_TLS_CERT", certs.resolve("bridge.pem").toString());
        env.put("META_TLS_KEY", certs.resolve("bridge.key").toString());
        env.putIfAbsent("META_SIP_PASSWORD", "lab-secret");
        env.putIfAbsent("BUSINESS_NUMBER", "+15550100001");
        env.put("PASSWORD", env.get("META_SIP_PASSWORD"));
        env.put("CERT_DIR", certs.toString());
        // Whatever the demo writes stays in its run directory, not in the working directory (the repository).
        env.put("CALL_LOG_FILE", run.resolve("calls.db").toString());
        env.put("CAPTURE_DIR", run.resolve("captures").toString());

        List<String> ladder = new CopyOnWriteArrayList<>();
        CallObserver ladderObserver = new CallObserver() {
            @Override
            public void sipMessage(SipMessageEvent m) {
                ladder.add(m.leg() + " " + (m.outgoing() ? "->" : "<-") + " " + m.firstLine());
            }
        };
        int result;
        try {
            exec(root, env, List.of("bash", "scripts/lab/certs.sh", certs.toString()));
            exec(root, env, List.of("bash", "scripts/lab/meta-edge.sh", "start", run.resolve("edge").toString()));
            Process uas = spawn(root, env, run.resolve("uas.log"), List.of("sipp", "-sf",
                    "sipp-scenarios/meta-uas-answer.xml", "-i", "127.0.0.1", "-p", env.get("UAS_PORT"),
                    "-mp", env.get("UAS_MEDIA_PORT"), "-m", "1", "-nostdin", "-timeout", "30s", "-timeout_error"));
            BridgeConfig cfg = ConfigLoader.load(root.resolve("sip-config/examples/lab.yaml"), env);
            try (RunCommand.Running bridge = RunCommand.Running.start(cfg, ladderObserver)) {
                Process pbx = spawn(root, env, run.resolve("pbx.log"), List.of("sipp",
                        "127.0.0.1:" + env.get("PBX_LISTEN_PORT"), "-sf", "sipp-scenarios/pbx-uac-call.xml",
                        "-i", "127.0.0.1", "-p", env.get("PBX_SIPP_PORT"), "-t", "u1", "-s", "+15550100099",
                        "-mp", env.get("PBX_MEDIA_PORT"),
                        "-m", "1", "-d", "" + holdMillis, "-nostdin", "-timeout", "30s", "-timeout_error"));
                boolean pbxOk = pbx.waitFor(40, TimeUnit.SECONDS) && pbx.exitValue() == 0;
                boolean uasOk = uas.waitFor(10, TimeUnit.SECONDS) && uas.exitValue() == 0;
                result = pbxOk && uasOk ? 0 : 1;
            }
        } finally {
            processes.forEach(Process::destroy);
            try {
                exec(root, env, List.of("bash", "scripts/lab/meta-edge.sh", "stop", run.resolve("edge").toString()));
            } catch (Exception ignored) {
                // the edge may not have started
            }
        }
        System.out.println();
        System.out.println("SIP ladder of the demo call (PBX = SIPp as Asterisk, META = Kamailio edge over TLS):");
        ladder.forEach(l -> System.out.println("  " + l));
        System.out.println(result == 0 ? "demo call completed: INVITE, 407, authenticated INVITE, 200, ACK, BYE"
                : "demo call FAILED: see " + run + " (pbx.log, uas.log, edge/kamailio.log)");
        return result;
    }

    /** A port free for TCP and UDP on 127.0.0.1. */
    private static int freePort() {
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

    private static boolean onPath(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private Process spawn(Path root, Map<String, String> env, Path log, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static void exec(Path root, Map<String, String> env, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
