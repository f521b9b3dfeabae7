package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first command, {@code scripts/demo}, on a machine without SIPp and Kamailio: PATH holds only bash,
 * dirname and java (the class path comes from this test run instead of a Maven build).
 */
class DemoScriptTest {

    @TempDir
    Path bin;

    @Test
    void demoRunsWithJavaOnlyAndNoSippOrKamailioOnPath() throws Exception {
        for (String tool : List.of("bash", "dirname", "env")) {
            Files.createSymbolicLink(bin.resolve(tool), which(tool));
        }
        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Path root = SandboxDemoTest.repoRoot();

        ProcessBuilder pb = new ProcessBuilder(bin.resolve("bash").toString(), "-c",
                "command -v sipp || command -v kamailio || command -v openssl || command -v mvn");
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        Process noTools = pb.redirectErrorStream(true).start();
        assertTrue(noTools.waitFor(10, TimeUnit.SECONDS));
        assertNotEquals(0, noTools.exitValue(), "the PATH of this test must lack sipp, kamailio, openssl and mvn");

        ProcessBuilder demo = new ProcessBuilder(bin.resolve("bash").toString(),
                root.resolve("scripts/demo").toString(), "--hold", "1500").directory(root.toFile())
                .redirectErrorStream(true);
        demo.environment().clear();
        demo.environment().put("PATH", bin.toString());
        demo.environment().put("HOME", System.getProperty("java.io.tmpdir"));
        demo.environment().put("BRIDGE_CLASSPATH", System.getProperty("java.class.path"));
        Process p = demo.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("SIP ladder of call 1") && out.contains("SIP ladder of call 2"), out);
        assertTrue(out.contains("demo completed: one call each way"), out);
    }

    private static Path which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(tool + " not on PATH");
    }
}
