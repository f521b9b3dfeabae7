package org.wabridge.b2bua.it;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real peers for end-to-end tests: test certificates, the Kamailio stand-in for Meta's edge, and SIPp as the
 * PBX or as the WhatsApp user, all on 127.0.0.1 and all stopped by PID. The scripts and scenarios are the same
 * ones the demo and an admin use (scripts/lab, sipp-scenarios).
 */
public final class Lab {

    private static final AtomicInteger NEXT_PORT = new AtomicInteger(21000 + (int) (ProcessHandle.current().pid() % 50) * 200);

    private Lab() {}

    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/lab/meta-edge.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root (scripts/lab/meta-edge.sh) above "
                    + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static Path scenario(String name) {
        return repoRoot().resolve("sipp-scenarios").resolve(name);
    }

    /** A port free for both UDP and TCP on 127.0.0.1, from a per-process range to avoid collisions. */
    /** Removes {@code root} and everything under it, as far as it can: a scratch directory left over is harmless. */
    public static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // gone already, or not readable: nothing more to do
        }
    }

    public static int freePort() {
        for (int i = 0; i < 500; i++) {
            int port = NEXT_PORT.getAndIncrement();
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException busy) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free port found");
    }

    /**
     * The first of {@code count} consecutive ports free for UDP and TCP: baresip binds TLS on its SIP port + 1,
     * SIPp's -mp binds audio and video RTP/RTCP on mp..mp+3.
     */
    public static int freePortRange(int count) {
        for (int i = 0; i < 250; i++) {
            int first = NEXT_PORT.getAndAdd(count);
            if (allFree(first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    private static boolean allFree(int first, int count) {
        for (int port = first; port < first + count; port++) {
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                // free
            } catch (IOException busy) {
                return false;
            }
        }
        return true;
    }

    public static void requireTool(String tool) {
        for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        throw new IllegalStateException(tool + " is not installed: run .ci/run or "
                + "apt-get install sip-tester kamailio kamailio-tls-modules (see README)");
    }

    /** Creates the lab PKI (CA, edge, bridge, wrong-name certificates) in {@code dir}. */
    public static Path certs(Path dir) throws Exception {
        run(List.of("bash", repoRoot().resolve("scripts/lab/certs.sh").toString(), dir.toString()), Map.of(), 30);
        return dir;
    }

    /** The Kamailio "Meta edge", started in {@code runDir}. */
    public static final class Edge implements AutoCloseable {
        public final int tlsPort = freePort();
        public final int udpPort = freePort();
        public final int uasPort;
        public final Path runDir;
        private final Map<String, String> env;

        public Edge(Path runDir, Path certDir, String password, String digestAlg, String edgeCert) throws Exception {
            this(runDir, certDir, password, digestAlg, edgeCert, freePort());
        }

        /** An edge relaying to a UAS on {@code uasPort} chosen by the caller (e.g. from freePortRange for baresip). */
        public Edge(Path runDir, Path certDir, String password, String digestAlg, String edgeCert, int uasPort)
                throws Exception {
            this(runDir, certDir, password, digestAlg, edgeCert, uasPort, Map.of());
        }

        /** As above, with more of meta-edge.sh's settings ({@code NONCE_EXPIRE}, {@code ONE_TIME_NONCE}). */
        public Edge(Path runDir, Path certDir, String password, String digestAlg, String edgeCert, int uasPort,
                    Map<String, String> settings) throws Exception {
            requireTool("kamailio");
            this.uasPort = uasPort;
            this.runDir = runDir;
            Map<String, String> all = new java.util.HashMap<>(settings);
            all.putAll(Map.of("EDGE_TLS_PORT", "" + tlsPort, "EDGE_UDP_PORT", "" + udpPort, "UAS_PORT", "" + uasPort,
                    "PASSWORD", password, "DIGEST_ALG", digestAlg, "CERT_DIR", certDir.toString(), "EDGE_CERT", edgeCert));
            this.env = Map.copyOf(all);
            run(List.of("bash", script(), "start", runDir.toString()), env, 30);
        }

        private static String script() {
            return repoRoot().resolve("scripts/lab/meta-edge.sh").toString();
        }

        public String log() throws IOException {
            Path log = runDir.resolve("kamailio.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }

        /** True when the edge's log holds {@code text} (false while it cannot be read), for polling. */
        public boolean logContains(String text) {
            try {
                return log().contains(text);
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() throws Exception {
            run(List.of("bash", script(), "stop", runDir.toString()), env, 30);
        }
    }

    /**
     * The Kamailio "Meta edge calling the bridge" (scripts/lab/meta-caller.sh), started in {@code runDir}: a SIPp
     * UAC sends to {@link #udpPort}; Kamailio record-routes and relays over TLS to the bridge's Meta listener.
     */
    public static final class Caller implements AutoCloseable {
        public final int udpPort = freePort();
        public final int tlsPort = freePort();
        public final Path runDir;
        private final Map<String, String> env;

        public Caller(Path runDir, Path certDir, int bridgeTlsPort) throws Exception {
            requireTool("kamailio");
            this.runDir = runDir;
            this.env = Map.of("CALLER_UDP_PORT", "" + udpPort, "CALLER_TLS_PORT", "" + tlsPort,
                    "BRIDGE_TLS_PORT", "" + bridgeTlsPort, "CERT_DIR", certDir.toString());
            run(List.of("bash", script(), "start", runDir.toString()), env, 30);
        }

        private static String script() {
            return repoRoot().resolve("scripts/lab/meta-caller.sh").toString();
        }

        /** The Record-Route set Kamailio puts on every INVITE it relays, in header order. */
        public String recordRoute() {
            return "<sip:127.0.0.1:" + tlsPort + ";transport=tls;r2=on;lr>, <sip:127.0.0.1:" + udpPort + ";r2=on;lr>";
        }

        public String log() throws IOException {
            Path log = runDir.resolve("kamailio.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        }

        @Override
        public void close() throws Exception {
            run(List.of("bash", script(), "stop", runDir.toString()), env, 30);
        }
    }

    /** A SIPp process; {@link #await} waits for it, {@link #close} kills a server left running. */
    public static final class Sipp implements AutoCloseable {
        private final Process process;
        private final Path log;
        public final List<String> command;

        private Sipp(Process process, Path log, List<String> command) {
            this.process = process;
            this.log = log;
            this.command = command;
        }

        public static Sipp start(Path workDir, String name, List<String> args) throws IOException {
            requireTool("sipp");
            List<String> cmd = new ArrayList<>(List.of("sipp"));
            cmd.addAll(args);
            cmd.addAll(List.of("-i", "127.0.0.1", "-nostdin", "-trace_err", "-trace_msg"));
            Path log = workDir.resolve(name + ".out");
            Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new Sipp(p, log, cmd);
        }

        /** Waits for exit; SIPp exits 0 only when every call succeeded. */
        public int await(long seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return -1;
            }
            return process.exitValue();
        }

        /** What SIPp printed and logged (errors and message traces), for assertion messages. */
        public String output() throws IOException {
            StringBuilder sb = new StringBuilder(String.join(" ", command)).append('\n');
            sb.append(Files.exists(log) ? Files.readString(log) : "");
            try (var files = Files.list(log.getParent())) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith("_errors.log")
                        || f.getFileName().toString().endsWith("_messages.log")).sorted().toList()) {
                    String text = Files.readString(f);
                    sb.append("\n--- ").append(f.getFileName()).append('\n')
                            .append(text.length() > 6000 ? text.substring(text.length() - 6000) : text);
                }
            }
            return sb.toString();
        }

        /**
         * Every SIP message SIPp received, in arrival order, from its -trace_msg log; retransmissions appear
         * as often as they arrived. Call after {@link #await} so the log is complete.
         */
        public List<String> receivedMessages() throws IOException {
            List<String> received = new ArrayList<>();
            try (var files = Files.list(log.getParent())) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith("_messages.log")).sorted().toList()) {
                    // Each entry starts with a dashed time stamp line, then "UDP message received [n] bytes :".
                    for (String entry : Files.readString(f).split("\n-{20,}[^\n]*\n")) {
                        int header = entry.indexOf(" message received [");
                        if (header >= 0) {
                            String afterHeader = entry.substring(entry.indexOf('\n', header) + 1);
                            received.add(afterHeader.strip());
                        }
                    }
                }
            }
            return received;
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    static void run(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
        }
    }
}
