package org.wabridge.b2bua.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.ops.calllog.CallLogObserver;
import org.wabridge.config.CallLogSettings;
import picocli.CommandLine;

/**
 * {@code bridge calls} and {@code bridge call} against a call log the observer wrote. The environment is empty:
 * reading the log must not need the SIP password the config references.
 */
class CallLogCommandsTest {

    @TempDir
    Path dir;

    private Path config;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static String yaml(Path db) {
        return """
                pbx:
                  allowedSources: ["127.0.0.1/32"]
                meta:
                  sipServerHostname: sip.example.test
                  numbers:
                    - {number: "+15550100001", password: "${PW}"}
                callLog:
                  file: "%s"
                """.formatted(db);
    }

    @BeforeEach
    void writeLogAndConfig() throws Exception {
        Path db = dir.resolve("calls.db");
        try (CallLogObserver log = CallLogObserver.open(
                new CallLogSettings(true, db.toString(), null, Duration.ofDays(30), 1000))) {
            CallScenarios.feedAll(log);
            log.flush().get(5, TimeUnit.SECONDS);
        }
        config = dir.resolve("bridge.yaml");
        Files.writeString(config, yaml(db));
    }

    private int calls(String... args) {
        CallsCommand command = new CallsCommand(print(out), print(err), Map.of(),
                new MutableClock(CallScenarios.T0.plusSeconds(3600)));
        return new CommandLine(command).execute(args);
    }

    private int call(String... args) {
        return new CommandLine(new CallCommand(print(out), print(err), Map.of())).execute(args);
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void callsPrintsAnAlignedTableNewestFirst() {
        assertEquals(0, calls("-c", config.toString()), err());
        List<String> lines = out().lines().toList();
        assertEquals(5, lines.size(), out());
        assertTrue(lines.get(0).startsWith("STARTED (UTC)        DIRECTION  OUTCOME"), lines.get(0));
        assertTrue(lines.get(1).startsWith("2026-11-25 10:05:00  outbound   connected  200   1.2s   31.0s"), lines.get(1));
        assertTrue(lines.get(1).endsWith("local.media-timeout-meta  pbx-4@127.0.0.1"), lines.get(1));
        assertTrue(lines.get(2).startsWith("2026-11-25 10:03:20  inbound    cancelled  487   -      9.0s"), lines.get(2));
        assertTrue(lines.get(3).contains(" failed ") && lines.get(3).contains(" 403 ")
                && lines.get(3).contains("meta.403.no-permission"), lines.get(3));
        assertTrue(lines.get(4).endsWith(CallScenarios.COMPLETED), lines.get(4));
        int callIdColumn = lines.get(0).indexOf("CALL ID");
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.indexOf("@127.0.0.1") > callIdColumn, "aligned: " + line);
        }
    }

    @Test
    void callsFiltersFailedSinceAndLimit() {
        assertEquals(0, calls("-c", config.toString(), "--failed"), err());
        assertTrue(out().contains(CallScenarios.FAILED) && out().contains(CallScenarios.MEDIA_TIMEOUT), out());
        assertFalse(out().contains(CallScenarios.CANCELLED) || out().contains(CallScenarios.COMPLETED), out());

        out.reset();
        // The test clock is T0 + 1 h: 57 minutes back is T0 + 3 min, after the first two calls.
        assertEquals(0, calls("-c", config.toString(), "--since", "57m", "--limit", "1"), err());
        assertEquals(2, out().lines().count(), out());
        assertTrue(out().contains(CallScenarios.MEDIA_TIMEOUT), out());

        out.reset();
        assertEquals(0, calls("-c", config.toString(), "--since", "2027-01-01"), err());
        assertEquals("no calls match\n", out());
    }

    @Test
    void callPrintsFactsMediaAndTheTimeline() {
        assertEquals(0, call("-c", config.toString(), CallScenarios.COMPLETED), err());
        String text = out();
        assertTrue(text.startsWith("call pbx-1@127.0.0.1\n  started        2026-11-25 10:00:00.000 UTC\n"), text);
        assertTrue(text.contains("  meta call id   " + CallScenarios.COMPLETED_WACID + "  (quote it to Meta support)\n"), text);
        assertTrue(text.contains("  outcome        connected: 200 OK\n"), text);
        assertTrue(text.contains("  media Meta     in 2990 pkts / 400000 B, out 3100 pkts / 430000 B, dropped 5, "
                + "SRTP auth failures 3, longest gap 140 ms\n"), text);
        assertTrue(text.contains("\n    +0.080s  META <- 407 Proxy Authentication Required (INVITE)\n"
                + "    +0.081s  [digest-challenge] 407 realm wa.meta.vc answered\n"
                + "    +0.082s  META -> INVITE sip:+4915112345678@wa.meta.vc;transport=tls\n"), text);
        assertTrue(text.endsWith("   +62.000s  [ended] 200 OK: PBX hung up\n"), text);
    }

    @Test
    void callOfAFailedCallPointsAtTheExplanation() {
        assertEquals(0, call("-c", config.toString(), CallScenarios.FAILED), err());
        assertTrue(out().contains("  cause          meta.403.no-permission  (bridge explain meta.403.no-permission)\n"), out());
        assertTrue(out().contains("  outcome        failed: 403 No Approved Call Permission Found\n"), out());
    }

    @Test
    void callShowsTheMetaLegStepsAndItsFailure() throws Exception {
        try (CallLogObserver log = CallLogObserver.open(new CallLogSettings(true, dir.resolve("calls.db").toString(),
                null, Duration.ofDays(30), 1000))) {
            CallScenarios.metaLegFailed(log, CallScenarios.T0.plusSeconds(400));
            log.flush().get(5, TimeUnit.SECONDS);
        }
        assertEquals(0, call("-c", config.toString(), CallScenarios.META_LEG_FAILED), err());
        String text = out();
        assertTrue(text.contains("  cause          local.ice-consent-lost  (bridge explain local.ice-consent-lost)\n"), text);
        assertTrue(text.contains("\n    +1.500s  [connected] both legs answered; media relayed\n"
                + "    +1.535s  [ice-completed] ICE completed 35 ms after the Meta leg started\n"
                + "    +1.620s  [dtls-connected] DTLS handshake completed, SRTP keys agreed 120 ms after the Meta leg started\n"
                + "    +1.621s  [first-srtp-sent] first SRTP packet sent to Meta 121 ms after the Meta leg started\n"
                + "    +1.640s  [first-srtp-received] first SRTP packet received from Meta 140 ms after the Meta leg started\n"
                + "   +40.000s  [meta-leg-failed] Meta stopped answering ICE consent checks: no consent response for 30 s\n"),
                text);
        assertTrue(text.endsWith("   +40.000s  [ended] 200 OK [local.ice-consent-lost]: Meta stopped answering ICE "
                + "consent checks: no consent response for 30 s\n"), text);
    }

    @Test
    void theCommandsAreSubcommandsOfBridge() {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            CommandLine bridge = new CommandLine(new org.wabridge.b2bua.cli.Main()); // commands print where System.out is now
            assertTrue(bridge.getSubcommands().containsKey("calls"), "bridge calls");
            assertEquals(0, bridge.execute("call", "--config", config.toString(), CallScenarios.COMPLETED_WACID));
        } finally {
            System.setOut(saved);
        }
        assertTrue(printed.toString(java.nio.charset.StandardCharsets.UTF_8).startsWith("call " + CallScenarios.COMPLETED + "\n"),
                printed.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void unknownIdsMissingDatabasesAndBadOptionsAreExplained() throws Exception {
        assertEquals(1, call("-c", config.toString(), "nope"));
        assertTrue(err().contains("no call with id 'nope' in the call log"), err());

        err.reset();
        Path elsewhere = dir.resolve("other.yaml");
        Files.writeString(elsewhere, yaml(dir.resolve("missing/calls.db")));
        assertEquals(1, calls("-c", elsewhere.toString()));
        assertTrue(err().contains("no call log at " + dir.resolve("missing/calls.db")), err());
        assertFalse(Files.exists(dir.resolve("missing")), "reading must not create a database");

        err.reset();
        assertEquals(2, calls("-c", config.toString(), "--since", "last week"));
        assertTrue(err().contains("--since 'last week' is not a time"), err());

        err.reset();
        Files.writeString(elsewhere, yaml(dir.resolve("calls.db")).replace("file:", "fiel:"));
        assertEquals(1, calls("-c", elsewhere.toString()));
        assertTrue(err().contains("unknown key 'fiel'"), err());
    }
}
