package org.wabridge.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SRTP warm-up runs jitsi-srtp's one-time work (native library, AES provider benchmark) when the relay is
 * built, so the first call does not pay for it between Meta's 200 OK and the PBX's 200 OK.
 */
class SrtpWarmUpTest {

    @Test
    void warmUpRoundTripsBothSuitesOnceAndThenReturnsAtOnce() throws Exception {
        long first = SrtpWarmUp.run();
        assertTrue(SrtpWarmUp.done());
        assertTrue(first >= 0);
        assertEquals(first, SrtpWarmUp.run(), "the second call does no work and reports the first run");
    }

    /**
     * In a fresh JVM (this test JVM may have used SRTP already): jitsi-srtp logs its first-use work (library
     * loaded, AES benchmark) while the relay is constructed, and nothing of it when the first endpoint is made.
     * Without the warm-up those records come with the first endpoint, i.e. with the first call.
     */
    @Test
    void relayConstructorDoesTheLibrarysFirstUseWorkNotTheFirstCall() throws Exception {
        Map<String, String> out = probe();
        assertEquals("false", out.get("before.done"), "the probe JVM must start without SRTP warmed up: " + out);
        assertEquals("true", out.get("after.done"), out.toString());
        assertTrue(Integer.parseInt(out.get("constructor.jitsiRecords")) > 0,
                "jitsi-srtp's first-use work (e.g. its AES benchmark) happens in the relay constructor: " + out);
        assertEquals("0", out.get("firstEndpoint.jitsiRecords"),
                "the first endpoint after the warm-up must not trigger jitsi-srtp's first-use work: " + out);
        System.out.println("first SRTP endpoint after warm-up: " + out.get("firstEndpoint.micros") + " µs");
    }

    private static Map<String, String> probe() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // ports 31480-31487 are this test's (the relay binds nothing until a call opens)
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SrtpWarmUpProbe.class.getName(), "31480").redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] stdout = p.getInputStream().readAllBytes(); // stdout and stderr: the probe ends, so this ends
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        String text = new String(stdout, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "probe failed:\n" + text);
        Map<String, String> values = new HashMap<>();
        for (String line : List.of(text.split("\n"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.merge(line.substring(0, eq), line.substring(eq + 1), (a, b) -> a + " | " + b);
            }
        }
        return values;
    }
}
