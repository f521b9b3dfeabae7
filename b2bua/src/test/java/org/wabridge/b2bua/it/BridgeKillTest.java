package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.config.CallLogSettings;

/**
 * SIGKILL of the bridge process with two calls up, then a restart: the OS frees every relay port (the whole
 * range binds again at once), the restarted bridge closes the two call-log rows as interrupted by restart, and
 * takes calls again. The bridge runs as a separate JVM ({@code bridge run}) so it can really be killed.
 */
class BridgeKillTest {

    static final String PASSWORD = "lab-secret";

    @TempDir
    Path tmp;

    /** The bridge as a child process, its output in a file. */
    static final class BridgeProcess implements AutoCloseable {
        final Process process;
        final Path out;

        BridgeProcess(Path config, Path out) throws IOException {
            this.out = out;
            String java = ProcessHandle.current().info().command().orElse("java");
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            process = new ProcessBuilder(java, "-Xmx256m", "-cp", classPath, "org.wabridge.b2bua.cli.Main", "run",
                    "-c", config.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        }

        String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        void awaitOutput(String text, int count, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (output().split(java.util.regex.Pattern.quote(text), -1).length - 1 < count) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("waiting for " + count + " x '" + text + "' in the bridge's output:\n"
                            + output());
                }
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: a clean stop
                if (!process.waitFor(40, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The bridge's call log at {@code db}, as the test's reads open it. */
    static CallLogSettings callLog(Path db) {
        return new CallLogSettings(true, db.toString(), null, Duration.ofDays(30), 1000);
    }

    /** Waits until the call log (read as `bridge calls` reads it, beside the running bridge) holds {@code rows}. */
    static void awaitCallLogRows(Path db, int rows, long seconds) throws Exception {
        CallLogSettings settings = callLog(db);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int seen = 0;
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(db)) {
                try (CallLogStore log = CallLogStore.openExisting(settings)) {
                    seen = log.calls(new CallQuery(null, false, 10)).size();
                }
                if (seen >= rows) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the call log holds " + seen + " call(s), not " + rows + ", after " + seconds + " s");
    }

    static List<Integer> portsThatDoNotBind(int min, int max) {
        List<Integer> busy = new ArrayList<>();
        for (int port = min; port <= max; port++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                // free
            } catch (IOException e) {
                busy.add(port);
            }
        }
        return busy;
    }

    private Lab.Sipp pbx(int pbxPort, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("127.0.0.1:" + pbxPort, "-sf",
                Lab.scenario("pbx-uac-call.xml").toString(), "-p", "" + Lab.freePort(), "-t", "u1", "-s",
                "+15550100099", "-mp", "" + Lab.freePort(), "-timeout", "90s", "-timeout_error"));
        args.addAll(List.of(more));
        return Lab.Sipp.start(Files.createTempDirectory(tmp, "pbx"), "pbx", args);
    }

    private Lab.Sipp uas(Lab.Edge edge, int calls) throws Exception {
        Lab.Sipp uas = Lab.Sipp.start(Files.createTempDirectory(tmp, "uas"), "uas", List.of("-sf",
                Lab.scenario("meta-uas-answer.xml").toString(), "-p", "" + edge.uasPort, "-t", "u1", "-mp",
                "" + Lab.freePort(), "-m", "" + calls, "-timeout", "90s", "-timeout_error"));
        Thread.sleep(300);
        return uas;
    }

    @Test
    void afterSigkillWithCallsUpNoPortIsOrphanedAndTheRestartClosesTheirCallLogRows() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        Path db = tmp.resolve("calls.db");
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge edge = new Lab.Edge(tmp.resolve("edge"), certs, PASSWORD, "MD5", "edge")) {
            Path config = tmp.resolve("bridge.yaml");
            Files.writeString(config, BridgeUnderTest.yaml(ports, certs, edge.tlsPort, PASSWORD,
                    Map.of("extraYaml", "callLog: {file: \"" + db + "\"}")));

            long killedAt;
            try (BridgeProcess first = new BridgeProcess(config, tmp.resolve("first.out"));
                 Lab.Sipp uas = uas(edge, 2)) {
                first.awaitOutput("listening for the PBX", 1, 90);
                try (Lab.Sipp calls = pbx(ports.pbx, "-m", "2", "-l", "2", "-r", "10", "-d", "60000")) {
                    first.awaitOutput("call connected", 2, 30);
                    // the call log's writer commits up to 50 ms after a call starts: kill once both rows are in it
                    awaitCallLogRows(db, 2, 10);
                    assertFalse(portsThatDoNotBind(ports.mediaMin, ports.mediaMax).isEmpty(),
                            "with two calls up the relay holds ports of its range");
                    first.process.destroyForcibly(); // SIGKILL: no BYE, no call-log end, no port release by us
                    assertTrue(first.process.waitFor(10, TimeUnit.SECONDS), "the bridge died");
                    killedAt = System.nanoTime();
                    List<Integer> busy = portsThatDoNotBind(ports.mediaMin, ports.mediaMax);
                    long freedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                    assertEquals(List.of(), busy, "no media port may stay bound after the process died");
                    System.out.println("FAULT sigkill: all " + (ports.mediaMax - ports.mediaMin + 1)
                            + " relay ports bound again " + freedMs + " ms after the kill");
                }
            }

            try (BridgeProcess second = new BridgeProcess(config, tmp.resolve("second.out"));
                 Lab.Sipp uas = uas(edge, 1)) {
                second.awaitOutput("listening for the PBX", 1, 90);
                long restartedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertTrue(second.output().contains("2 call(s) left in progress by the last run closed"),
                        second.output());
                try (CallLogStore log = CallLogStore.openExisting(callLog(db))) {
                    List<CallRecord> rows = log.calls(new CallQuery(null, false, 10));
                    assertEquals(2, rows.size(), "the two interrupted calls: " + rows);
                    for (CallRecord row : rows) {
                        assertEquals(CallOutcome.FAILED, row.outcome(), row.toString());
                        assertEquals(CallLogStore.INTERRUPTED_BY_RESTART, row.reason());
                        assertTrue(row.endedAt() != null && row.duration() != null, row.toString());
                    }
                }
                try (Lab.Sipp call = pbx(ports.pbx, "-m", "1", "-d", "1000")) {
                    assertEquals(0, call.await(60), "the restarted bridge takes calls\n" + call.output()
                            + "\nbridge:\n" + second.output());
                }
                assertEquals(0, uas.await(20), "Meta's side saw the new call\n" + uas.output());
                System.out.println("FAULT sigkill: restarted bridge listening " + restartedMs
                        + " ms after the kill (a new JVM), interrupted rows closed at its start");
            }
        }
    }
}
