package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * {@code bridge meta-settings -c FILE} as an admin runs it: the JSON to POST on stdout (plain JSON when all numbers
 * share a keying, one block per keying otherwise), and on stderr what each keying needs at Meta.
 */
class MetaSettingsCommandTest {

    static final String PASSWORD = "lab-secret";

    @TempDir
    Path tmp;

    /** Loopback, TCP toward the lab "Meta": passes the pre-flight check without certificate files. */
    static String config(String secondNumberKeying) {
        return """
                pbx:
                  listen: [{transport: udp, host: 127.0.0.1, port: 25060}]
                  allowedSources: [127.0.0.0/8]
                  target: "sip:127.0.0.1:25070"
                meta:
                  sipServerHostname: bridge.example.test
                  listen: {transport: tcp, host: 127.0.0.1, port: 25061}
                  publicPort: 5061
                  numbers:
                    - {number: "+15550100001", password: "%1$s"}
                    - {number: "+15550100002", password: "%1$s", srtpKeyExchange: %2$s}
                media:
                  bindAddress: 127.0.0.1
                  portMin: 30000
                  portMax: 30999
                limits:
                  maxCallsPerNumber: 10
                """.formatted(PASSWORD, secondNumberKeying);
    }

    record Outcome(int exitCode, String out, String err) {}

    Outcome run(String yaml, String... extra) throws Exception {
        Path file = Files.createTempFile(tmp, "bridge-", ".yaml");
        Files.writeString(file, yaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            String[] args = new String[3 + extra.length];
            args[0] = "meta-settings";
            args[1] = "-c";
            args[2] = file.toString();
            System.arraycopy(extra, 0, args, 3, extra.length);
            exit = new CommandLine(new Main()).execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        Outcome outcome = new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(outcome.out() + outcome.err()); // visible in the test report
        return outcome;
    }

    @SuppressWarnings("unchecked")
    static String keyingIn(String json) {
        Map<String, Object> root = new Yaml().load(json); // JSON is YAML
        return (String) ((Map<String, Object>) root.get("calling")).get("srtp_key_exchange_protocol");
    }

    @Test
    void oneKeyingPrintsPlainJsonWithIt() throws Exception {
        Outcome result = run(config("DTLS"));
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("DTLS", keyingIn(result.out()), "stdout is exactly one JSON document");
        assertTrue(result.err().contains("[+15550100001, +15550100002], srtp_key_exchange_protocol DTLS:"), result.err());
        assertTrue(result.err().contains("UDP 127.0.0.1 ports 30000..30999"), result.err());
        assertFalse(result.err().contains("SDES must be set explicitly"), result.err());
        assertFalse(result.out().contains(PASSWORD) || result.err().contains(PASSWORD), "the password must not be printed");
    }

    @Test
    void mixedKeyingPrintsOneBlockPerKeyingWithWhatEachNeeds() throws Exception {
        Outcome result = run(config("sdes"));
        assertEquals(0, result.exitCode(), result.err());
        String[] blocks = result.out().split("(?m)^# POST for ");
        assertEquals(3, blocks.length, result.out());
        assertTrue(blocks[1].startsWith("+15550100001\n"), blocks[1]);
        assertEquals("DTLS", keyingIn(blocks[1].substring(blocks[1].indexOf('\n'))));
        assertTrue(blocks[2].startsWith("+15550100002\n"), blocks[2]);
        assertEquals("SDES", keyingIn(blocks[2].substring(blocks[2].indexOf('\n'))));

        String err = result.err();
        assertTrue(err.contains("[+15550100001], srtp_key_exchange_protocol DTLS:\n  DTLS is Meta's default"), err);
        assertTrue(err.contains("[+15550100002], srtp_key_exchange_protocol SDES:\n  SDES must be set explicitly"), err);
        assertTrue(err.contains("GET /<PHONE_NUMBER_ID>/settings after every POST"), err);
    }

    @Test
    void oneNumberCanBeChosenForAPipe() throws Exception {
        Outcome result = run(config("SDES"), "-n", "15550100002");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals("SDES", keyingIn(result.out()));
        assertFalse(result.err().contains("+15550100001"), result.err());

        Outcome unknown = run(config("SDES"), "--number", "+15550100009");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("+15550100009 is not one of meta.numbers: [+15550100001, +15550100002]"),
                unknown.err());
        assertEquals("", unknown.out());
    }
}
