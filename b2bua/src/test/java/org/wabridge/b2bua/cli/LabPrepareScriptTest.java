package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;
import org.wabridge.config.ConfigValidator;
import org.wabridge.config.Problem;

/**
 * scripts/lab/prepare.sh, which scripts/bridge runs before the bridge: {@code run -c sip-config/examples/lab.yaml}
 * works on a fresh checkout because the lab certificates it reads are created on first use, and nothing is
 * created for any other command or configuration.
 */
class LabPrepareScriptTest {

    @TempDir
    Path workDir;

    record Run(int exit, String output) {}

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("scripts/lab/prepare.sh"))) {
            p = p.getParent();
        }
        return p;
    }

    static Path labYaml() {
        return repoRoot().resolve("sip-config/examples/lab.yaml");
    }

    /** Runs the script in {@code workDir} (as the bridge's working directory) with the bridge's arguments. */
    Run prepare(Map<String, String> env, String... bridgeArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", repoRoot().resolve("scripts/lab/prepare.sh").toString()));
        cmd.addAll(List.of(bridgeArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("META_TLS_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "prepare.sh hung");
        return new Run(p.exitValue(), out);
    }

    @Test
    void runWithTheLabConfigurationCreatesTheCertificatesItReadsOnce() throws Exception {
        Run first = prepare(Map.of(), "run", "-c", labYaml().toString());
        assertEquals(0, first.exit(), first.output());
        assertTrue(first.output().contains("created the lab's test certificates in " + workDir.resolve("lab/certs")),
                first.output());
        Path certs = workDir.resolve("lab/certs");
        // What lab.yaml reads by default, relative to the working directory, passes bridge check.
        BridgeConfig cfg = ConfigLoader.load(labYaml(), Map.of("META_TLS_CERT", certs.resolve("bridge.pem").toString(),
                "META_TLS_KEY", certs.resolve("bridge.key").toString(),
                "META_TLS_TRUST", certs.resolve("edge-ca.pem").toString()));
        List<Problem> errors = ConfigValidator.validate(cfg, Clock.systemUTC()).stream()
                .filter(p -> p.severity() == Problem.Severity.ERROR).toList();
        assertEquals(List.of(), errors);

        String key = Files.readString(certs.resolve("bridge.key"));
        Run again = prepare(Map.of(), "check", "--config=" + labYaml());
        assertEquals(new Run(0, ""), again, "nothing to do the second time");
        assertEquals(key, Files.readString(certs.resolve("bridge.key")), "existing certificates are kept");
    }

    @Test
    void otherCommandsAndConfigurationsCreateNothing() throws Exception {
        Path production = repoRoot().resolve("sip-config/examples/production.yaml");
        Path copy = Files.writeString(workDir.resolve("bridge.yaml"), Files.readString(labYaml()));
        for (String[] args : List.of(new String[] {"run", "-c", production.toString()},
                new String[] {"check", "-c", copy.toString()}, new String[] {"explain", "403"},
                new String[] {"calls", "-c", labYaml().toString()}, new String[] {"run"})) {
            assertEquals(new Run(0, ""), prepare(Map.of(), args), String.join(" ", args));
        }
        assertFalse(Files.exists(workDir.resolve("lab")), "nothing created for other commands or files");
    }

    @Test
    void certificatesGivenThroughTheEnvironmentAreNotCreated() throws Exception {
        Run run = prepare(Map.of("META_TLS_CERT", "/etc/x.pem", "META_TLS_KEY", "/etc/x.key",
                "META_TLS_TRUST", "/etc/ca.pem"), "run", "-c", labYaml().toString());
        assertEquals(new Run(0, ""), run);
        assertFalse(Files.exists(workDir.resolve("lab/certs")));
        assertTrue(Files.isDirectory(workDir.resolve("lab")), "the state directory for lab/calls.db");
    }
}
