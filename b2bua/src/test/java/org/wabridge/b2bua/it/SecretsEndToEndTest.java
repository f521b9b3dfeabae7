package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.ops.Operations;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * No secret reaches a log line, a capture or the call log, whatever the log level.
 *
 * <p>A full set of calls through the lab with every logger at TRACE (the bridge, its {@code org.wabridge.wire}
 * full-message dumps, JAIN-SIP through per-class loggers as {@code bridge run} sets it up, Netty, sqlite-jdbc,
 * ice4j and jitsi-utils through java.util.logging), {@code capture.mode: all} and the call log on:
 * business-initiated calls answered after the edge's 407 with MD5 (connected, refused by Meta after
 * authentication, cancelled), with SHA-256 (connected, over TCP from the PBX) and with a wrong password (403);
 * user-initiated calls where the lab's Meta caller answers the bridge's 407 (connected, PBX busy, cancelled by
 * the caller, wrong password).
 *
 * <p>The secrets are taken from the peers, never from the bridge: each digest {@code response}, {@code nonce} and
 * {@code cnonce} that was on the wire from the lab edge's Kamailio (an {@code xlog} of every Proxy-Authorization
 * and INVITE body it received, added to its rendered configuration) and from the SIPp Meta caller's message
 * trace; each SRTP master key from the SDP the SIPp peers and the edge saw. Searched for: the SIP passwords and
 * the password-equivalent HA1 of each (MD5 and SHA-256, both realms), the admin token, the bridge's TLS private
 * key (PEM lines, the EC scalar), the digest responses, nonces and cnonces, and each SRTP key as base64, as its
 * first 20 base64 characters, as hex, as raw bytes (key and salt, and the master key alone), and the RTP/RTCP
 * session keys derived from it (RFC 3711). Searched in: every log event as the bridge's own {@code logback.xml}
 * renders it (its masking converters included) with the full stack trace, anything printed to stdout or stderr,
 * every pcap file's bytes, the SQLite files' bytes and every row of both call-log tables. The same search must find a
 * harmless value planted in one call's {@code x-wa-meta-wacid} in the log lines, a pcap and the call log, so a
 * search that looks in the wrong place or at nothing fails instead of passing.
 */
class SecretsEndToEndTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The business number's password at the edge and in bridge A (Meta's caller uses it too). */
    static final String PASSWORD_A = secret("pwA");
    /** The number's password at the SHA-256 edge and in bridge B. */
    static final String PASSWORD_B = secret("pwB");
    /** A wrong password configured in bridge C (the edge knows PASSWORD_A). */
    static final String PASSWORD_C = secret("pwC");
    /** The wrong password the Meta caller answers bridge A's challenge with once. */
    static final String PASSWORD_META_WRONG = secret("pwW");
    static final String ADMIN_TOKEN = secret("tok");
    /**
     * Not a secret: a value planted in Meta's call id (x-wa-meta-wacid) of one call, which the bridge logs, captures
     * and writes to the call log as it should. The search must find it in each of those places, or it could not
     * find a leaked secret there either. Digits only: the PBX scenario checks the header's shape.
     */
    static final String PLANTED = String.format("%018d", RANDOM.nextLong(1, 999_999_999_999_999_999L));
    static final String AUTH_URI = UserInitiatedCallTest.AUTH_URI;

    @TempDir
    Path tmp;

    private static String secret(String prefix) {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return prefix + "-" + HexFormat.of().formatHex(b);
    }

    @Test
    void noPasswordDigestOrSrtpKeyInLogsCapturesOrTheCallLog() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        Path captureDir = Files.createDirectories(tmp.resolve("captures"));
        List<Path> databases = new ArrayList<>();
        List<String> peerTraces = new ArrayList<>();
        List<String> calls = new ArrayList<>();

        try (LogEverything logs = new LogEverything()) {
            try (TappedEdge md5Edge = new TappedEdge(tmp.resolve("edge-md5"), certs, PASSWORD_A, "MD5");
                 TappedEdge shaEdge = new TappedEdge(tmp.resolve("edge-sha"), certs, PASSWORD_B, "SHA-256")) {
                try {
                    // Bridge A: business-initiated through the MD5 edge, user-initiated from the Meta caller.
                    BridgeUnderTest.Ports portsA = new BridgeUnderTest.Ports();
                    int pbxUasPort = Lab.freePort();
                    try (Lab.Caller caller = new Lab.Caller(tmp.resolve("caller"), certs, portsA.meta);
                         Running a = new Running("A", portsA, certs, md5Edge.tlsPort, PASSWORD_A,
                                 Map.of("pbxTarget", "sip:127.0.0.1:" + pbxUasPort, "metaAllowedSources", "127.0.0.0/8"),
                                 captureDir, databases)) {
                        int noPermission = CauseCatalog.builtIn().matchSip(403, "No Approved Call Permission Found", null)
                                .pbxAnswer().sipCode();
                        businessCall(a, md5Edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1", peerTraces, calls);
                        businessCall(a, md5Edge, "meta-uas-fail-403-no-call-permission.xml",
                                "pbx-uac-fail-" + noPermission + ".xml", "u1", peerTraces, calls);
                        businessCall(a, md5Edge, "meta-uas-ring.xml", "pbx-uac-cancel.xml", "u1", peerTraces, calls);
                        userCall(a, caller, pbxUasPort, "meta-uac-call.xml", "pbx-uas-answer-wa-headers.xml", 2000,
                                true, peerTraces, calls);
                        userCall(a, caller, pbxUasPort, "meta-uac-fail-486.xml", "pbx-uas-busy.xml", 0, peerTraces, calls);
                        userCall(a, caller, pbxUasPort, "meta-uac-cancel.xml", "pbx-uas-noanswer.xml", 1000,
                                peerTraces, calls);
                        userCall(a, caller, pbxUasPort, "meta-uac-wrong-password.xml", null, 0, peerTraces, calls);
                        BusinessInitiatedCallTest.assertNoLeftovers(a.bridge, a.relay);
                    }
                    // Bridge B: SHA-256 digest, over TCP from the PBX, the WhatsApp side hangs up.
                    BridgeUnderTest.Ports portsB = new BridgeUnderTest.Ports();
                    try (Running b = new Running("B", portsB, certs, shaEdge.tlsPort, PASSWORD_B, Map.of(),
                            captureDir, databases)) {
                        businessCall(b, shaEdge, "meta-uas-answer-bye.xml", "pbx-uac-wait-bye.xml", "t1", peerTraces, calls);
                        BusinessInitiatedCallTest.assertNoLeftovers(b.bridge, b.relay);
                    }
                    // Bridge C: a wrong password, answered once and refused with 403 by the edge.
                    BridgeUnderTest.Ports portsC = new BridgeUnderTest.Ports();
                    try (Running c = new Running("C", portsC, certs, md5Edge.tlsPort, PASSWORD_C, Map.of(),
                            captureDir, databases)) {
                        businessCall(c, md5Edge, null, "pbx-uac-fail-502.xml", "u1", peerTraces, calls);
                        BusinessInitiatedCallTest.assertNoLeftovers(c.bridge, c.relay);
                    }
                } finally {
                    peerTraces.add(md5Edge.log());
                    peerTraces.add(shaEdge.log());
                }
            }
            logs.stop();

            // ---- what the peers saw ------------------------------------------------------------------------
            PeerSecrets seen = PeerSecrets.from(peerTraces);
            assertTrue(seen.edgeResponses >= 5, "the edges logged a Proxy-Authorization for each authenticated INVITE "
                    + "(MD5: connected, refused, cancelled, wrong password; SHA-256: connected), got " + seen.edgeResponses
                    + "\n" + seen.describe());
            assertTrue(seen.callerResponses >= 4, "the Meta caller answered the bridge's 407 in each user-initiated call, "
                    + "got " + seen.callerResponses + "\n" + seen.describe());
            assertTrue(seen.keys.size() >= 6, "SRTP keys seen by the peers (our offers, Meta's answer and offer, our "
                    + "answer): " + seen.keys.size() + "\n" + seen.describe());
            assertTrue(seen.sha256Seen, "one answer used SHA-256:\n" + seen.describe());

            Map<String, List<String>> needles = new LinkedHashMap<>();
            for (String password : List.of(PASSWORD_A, PASSWORD_B, PASSWORD_C, PASSWORD_META_WRONG)) {
                addText(needles, "SIP password " + password.substring(0, 3), password,
                        Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
                for (String realm : seen.realms) {
                    for (String alg : List.of("MD5", "SHA-256")) {
                        String ha1 = hex(MessageDigest.getInstance(alg).digest(
                                ("15550100001:" + realm + ":" + password).getBytes(StandardCharsets.UTF_8)));
                        addText(needles, "HA1 (" + alg + ", " + realm + ") of password " + password.substring(0, 3),
                                ha1, ha1.toUpperCase());
                    }
                }
            }
            addText(needles, "admin token", ADMIN_TOKEN);
            seen.responses.forEach(r -> addText(needles, "digest response " + r.substring(0, 6) + "...", r, r.toUpperCase()));
            seen.nonces.forEach(n -> addText(needles, "digest nonce " + n.substring(0, Math.min(6, n.length())) + "...", n));
            seen.cnonces.forEach(n -> addText(needles, "digest cnonce " + n.substring(0, Math.min(4, n.length())) + "...", n));
            for (String key : seen.keys) {
                byte[] keyAndSalt = Base64.getDecoder().decode(key);
                byte[] master = java.util.Arrays.copyOf(keyAndSalt, 16);
                String label = "SRTP key " + key.substring(0, 6) + "...";
                addText(needles, label, key, key.substring(0, 20), hex(keyAndSalt), hex(keyAndSalt).toUpperCase(),
                        hex(master), hex(master).toUpperCase(), Base64.getEncoder().encodeToString(master));
                needles.get(label).add(new String(keyAndSalt, StandardCharsets.ISO_8859_1));
                needles.get(label).add(new String(master, StandardCharsets.ISO_8859_1));
                // and the session keys derived from it (RFC 3711 4.3), which decrypt as much
                byte[] salt = java.util.Arrays.copyOfRange(keyAndSalt, 16, 30);
                int[][] derived = {{Rfc3711Srtp.LABEL_RTP_ENCRYPTION, 16}, {Rfc3711Srtp.LABEL_RTP_AUTH, 20},
                        {Rfc3711Srtp.LABEL_RTCP_ENCRYPTION, 16}, {Rfc3711Srtp.LABEL_RTCP_AUTH, 20}};
                for (int[] d : derived) {
                    byte[] sessionKey = Rfc3711Srtp.derive(master, salt, d[0], d[1]);
                    addText(needles, label + " session key " + d[0], hex(sessionKey), hex(sessionKey).toUpperCase(),
                            Base64.getEncoder().encodeToString(sessionKey));
                    needles.get(label + " session key " + d[0]).add(new String(sessionKey, StandardCharsets.ISO_8859_1));
                }
            }
            // the bridge's TLS private key (meta.tlsKey): each base64 line of the PEM, and the EC private scalar
            String pem = Files.readString(certs.resolve("bridge.key"));
            List<String> pemLines = pem.lines().filter(l -> !l.startsWith("-----") && l.length() >= 40).toList();
            assertTrue(!pemLines.isEmpty(), "the bridge's key is PEM: " + certs.resolve("bridge.key"));
            addText(needles, "TLS private key", pemLines.toArray(String[]::new));
            byte[] der = Base64.getMimeDecoder().decode(String.join("", pem.lines().filter(l -> !l.startsWith("-----")).toList()));
            var privateKey = (java.security.interfaces.ECPrivateKey) java.security.KeyFactory.getInstance("EC")
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
            byte[] s = privateKey.getS().toByteArray(); // big-endian, maybe with a sign byte or shorter than 32
            byte[] scalar = new byte[32];
            System.arraycopy(s, Math.max(0, s.length - 32), scalar, Math.max(0, 32 - s.length), Math.min(32, s.length));
            addText(needles, "TLS private key", hex(scalar));
            needles.get("TLS private key").add(new String(scalar, StandardCharsets.ISO_8859_1));

            // ---- where they must not be ----------------------------------------------------------------------
            Map<String, String> haystacks = new LinkedHashMap<>();
            haystacks.put("log lines", logs.text());
            haystacks.put("stdout/stderr", logs.console());
            List<Path> pcaps;
            try (var files = Files.list(captureDir)) {
                pcaps = files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList();
            }
            assertTrue(pcaps.size() >= 8, "a capture per call (capture.mode all): " + pcaps + "\ncalls: " + calls);
            for (Path pcap : pcaps) {
                haystacks.put("pcap " + pcap.getFileName(), Files.readString(pcap, StandardCharsets.ISO_8859_1));
            }
            int rows = 0;
            for (Path db : databases) {
                try (var files = Files.list(db.getParent())) {
                    for (Path f : files.filter(f -> f.getFileName().toString().startsWith(db.getFileName().toString()))
                            .toList()) {
                        haystacks.put("call log file " + db.getParent().getFileName() + "/" + f.getFileName(),
                                Files.readString(f, StandardCharsets.ISO_8859_1));
                    }
                }
                StringBuilder text = new StringBuilder();
                rows += rowsOf(db, text);
                haystacks.put("call log rows of " + db.getParent().getFileName() + "/" + db.getFileName(), text.toString());
            }
            assertTrue(rows >= 8 + 30, "the call logs hold the calls and their timelines: " + rows + " rows");

            // The search can fail: the planted value is found in the log lines, the call's pcap and the call log.
            List<String> plantedFound = found(haystacks, Map.of("planted", List.of(PLANTED)), logs);
            for (String place : List.of("log lines", "pcap ", "call log rows of db-A")) {
                assertTrue(plantedFound.stream().anyMatch(f -> f.startsWith("planted in " + place)),
                        "the search finds a value planted in Meta's call id in " + place + "; found: " + plantedFound);
            }
            List<String> leaks = found(haystacks, needles, logs);
            long forms = needles.values().stream().mapToLong(List::size).sum();
            long bytes = haystacks.values().stream().mapToLong(String::length).sum();
            System.out.println("secrets test: " + needles.size() + " secrets (" + forms + " forms: " + seen.describe()
                    + ") searched in " + haystacks.size() + " places (" + bytes + " bytes: "
                    + logs.text().lines().count() + " log lines, " + pcaps.size() + " pcaps, " + rows
                    + " call-log rows); " + leaks.size() + " found");
            if (!leaks.isEmpty()) {
                fail(leaks.size() + " secret(s) found:\n" + String.join("\n", leaks));
            }
            // Not vacuous: the lines searched hold full messages, JAIN-SIP's own lines, the media relay's (which
            // holds the SRTP keys), and the credentials and keys' places, masked.
            assertTrue(logs.text().contains("wire: META ->\nINVITE sip:"), "full messages were logged");
            assertTrue(logs.text().contains("Proxy-Authorization: Digest")
                            && Pattern.compile("response=\"x{32}\"").matcher(logs.text()).find()
                            && logs.text().contains("inline:****"),
                    "the wire log shows the credentials and the keys' places, masked");
            assertTrue(logs.loggers().stream().anyMatch(l -> l.startsWith("gov.nist.javax.sip.stack.")),
                    "JAIN-SIP's own DEBUG lines were logged: " + logs.loggers());
            assertTrue(logs.loggers().stream().anyMatch(l -> l.startsWith("org.wabridge.media.relay.")),
                    "the media relay's lines were logged: " + logs.loggers());

            // The captures still show the authentication, dissected by Wireshark, with placeholders.
            StringBuilder auth = new StringBuilder();
            for (Path pcap : pcaps) {
                auth.append(BusinessInitiatedCallTest.tshark(pcap, "-Y", "sip.auth", "-T", "fields",
                        "-e", "sip.auth.digest.response", "-e", "sip.auth.nonce", "-e", "sip.auth.cnonce"));
            }
            assertTrue(auth.toString().lines().map(l -> l.replace("\"", "").split("\t", -1))
                            .anyMatch(f -> f.length == 3 && f[0].matches("x{32}") && f[1].matches("[0-9a-f]{8,}")
                                    && f[2].matches("x+")),
                    "Wireshark dissects the masked MD5 Proxy-Authorization:\n" + auth);
            assertTrue(auth.toString().lines().anyMatch(l -> l.replace("\"", "").startsWith("x".repeat(64) + "\t")),
                    "and the SHA-256 one:\n" + auth);
        }
    }

    // ---- the calls ---------------------------------------------------------------------------------------------

    /** A bridge with its relay, captures (mode all), call log (SQLite) and admin API with a token. */
    final class Running implements AutoCloseable {
        final MediaRelay relay;
        final BridgeUnderTest bridge;
        final AtomicReference<Operations> ops = new AtomicReference<>();

        Running(String name, BridgeUnderTest.Ports ports, Path certs, int edgePort, String password,
                Map<String, String> overrides, Path captureDir, List<Path> databases) throws Exception {
            Path db = Files.createDirectories(tmp.resolve("db-" + name)).resolve("calls.db");
            databases.add(db);
            Map<String, String> settings = new LinkedHashMap<>(overrides);
            settings.put("extraYaml", "callLog: {file: \"" + db + "\"}\n"
                    + "admin: {host: 127.0.0.1, port: " + Lab.freePort() + ", token: \"" + ADMIN_TOKEN + "\"}\n"
                    + "capture: {mode: all, dir: \"" + captureDir + "\"}");
            CallCaptures captures = new CallCaptures(CallCaptures.Mode.ALL, captureDir, 10_000_000);
            relay = new NettyMediaRelay(ports.mediaSettings());
            try {
                bridge = new BridgeUnderTest(ports, certs, edgePort, password, settings, relay, captures, cfg -> {
                    ops.set(Operations.start(cfg, () -> 0, () -> true, captures::captureNext));
                    return ops.get().observer();
                });
            } catch (Exception e) {
                relay.close();
                if (ops.get() != null) {
                    ops.get().close();
                }
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                bridge.close();
                relay.close();
            } finally {
                if (ops.get() != null) {
                    ops.get().close(); // flushes the call log: the last calls' ends are written
                }
            }
        }
    }

    /** One business-initiated call: SIPp as the WhatsApp user behind the edge (null: none), SIPp as the PBX. */
    void businessCall(Running r, TappedEdge edge, String uasScenario, String pbxScenario, String transport,
                      List<String> traces, List<String> calls) throws Exception {
        Path uasDir = Files.createDirectories(tmp.resolve("uas-" + System.nanoTime()));
        Path pbxDir = Files.createDirectories(tmp.resolve("pbx-" + System.nanoTime()));
        try (Lab.Sipp uas = uasScenario == null ? null : Lab.Sipp.start(uasDir, "uas", List.of(
                "-sf", Lab.scenario(uasScenario).toString(), "-p", "" + edge.uasPort, "-t", "u1",
                "-mp", "" + Lab.freePort(), "-m", "1", "-timeout", "40s", "-timeout_error"))) {
            Thread.sleep(300); // let the UAS bind before the call reaches it
            try (Lab.Sipp pbx = Lab.Sipp.start(pbxDir, "pbx", List.of("127.0.0.1:" + r.bridge.pbxPort,
                    "-sf", Lab.scenario(pbxScenario).toString(), "-p", "" + Lab.freePort(), "-t", transport,
                    "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1", "-d", "1000",
                    "-timeout", "40s", "-timeout_error"))) {
                int pbxExit = pbx.await(45);
                int uasExit = uas == null ? 0 : uas.await(10);
                calls.add(pbxScenario + " / " + uasScenario);
                if (pbxExit != 0 || uasExit != 0) {
                    // not printed: the peers' output holds the secrets the logs are searched for
                    fail("business-initiated call " + pbxScenario + " / " + uasScenario + " failed: PBX " + pbxExit
                            + ", WhatsApp side " + uasExit + "\n" + pbx.output() + (uas == null ? "" : uas.output())
                            + "\nedge:\n" + edge.log());
                }
            }
        }
        traces.add(allFiles(uasDir));
        traces.add(allFiles(pbxDir));
    }

    /** One user-initiated call: SIPp as the Meta caller (its password set to bridge A's), SIPp as the PBX. */
    void userCall(Running r, Lab.Caller caller, int pbxUasPort, String metaScenario, String pbxScenario,
                  long holdMillis, List<String> traces, List<String> calls) throws Exception {
        userCall(r, caller, pbxUasPort, metaScenario, pbxScenario, holdMillis, false, traces, calls);
    }

    /** As above; {@code planted}: Meta's call id carries {@link #PLANTED}. */
    void userCall(Running r, Lab.Caller caller, int pbxUasPort, String metaScenario, String pbxScenario,
                  long holdMillis, boolean planted, List<String> traces, List<String> calls) throws Exception {
        Path metaDir = Files.createDirectories(tmp.resolve("meta-" + System.nanoTime()));
        Path pbxDir = Files.createDirectories(tmp.resolve("pbx-" + System.nanoTime()));
        // The lab scenarios answer with the lab's password; here the number's password is a fresh one.
        String scenario = Files.readString(Lab.scenario(metaScenario))
                .replace("password=not-the-lab-secret]", "password=" + PASSWORD_META_WRONG + "]")
                .replace("password=lab-secret]", "password=" + PASSWORD_A + "]")
                .replace("wacid.HBgLMTIx[call_number]", "wacid.HBgLMTIx" + (planted ? PLANTED : "") + "[call_number]");
        assertTrue(scenario.contains("password=" + PASSWORD_A) || scenario.contains("password=" + PASSWORD_META_WRONG),
                "the scenario answers the bridge's challenge: " + metaScenario);
        Path scenarioFile = metaDir.resolve(metaScenario);
        Files.writeString(scenarioFile, scenario);
        try (Lab.Sipp pbx = pbxScenario == null ? null : Lab.Sipp.start(pbxDir, "pbx", List.of(
                "-sf", Lab.scenario(pbxScenario).toString(), "-p", "" + pbxUasPort, "-t", "u1",
                "-mp", "" + Lab.freePort(), "-rtp_echo", "-m", "1", "-timeout", "70s", "-timeout_error"))) {
            Thread.sleep(300); // let the PBX bind before the call reaches it
            try (Lab.Sipp meta = Lab.Sipp.start(metaDir, "meta", List.of("127.0.0.1:" + caller.udpPort,
                    "-sf", scenarioFile.toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                    "-auth_uri", AUTH_URI, "-cid_str", "outgoing:wacid.%u-%p@%s", "-mp", "" + Lab.freePort(),
                    "-m", "1", "-d", "" + holdMillis, "-timeout", "70s", "-timeout_error"))) {
                int metaExit = meta.await(75);
                int pbxExit = pbx == null ? 0 : pbx.await(15);
                calls.add(metaScenario + " / " + pbxScenario);
                if (metaExit != 0 || pbxExit != 0) {
                    fail("user-initiated call " + metaScenario + " / " + pbxScenario + " failed: WhatsApp side "
                            + metaExit + ", PBX " + pbxExit + "\n" + meta.output() + (pbx == null ? "" : pbx.output())
                            + "\ncaller:\n" + caller.log());
                }
            }
        }
        traces.add("META-CALLER-TRACE\n" + allFiles(metaDir));
        traces.add(allFiles(pbxDir));
        // its own wait: the call's end (and its capture) is reported after the last response
        for (int i = 0; i < 50 && r.bridge.b2bua.activeCalls() > 0; i++) {
            Thread.sleep(100);
        }
    }

    /** The text of every file SIPp wrote in {@code dir} (messages, errors, screen), the scenario excluded. */
    static String allFiles(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.toString().endsWith(".xml")).sorted().toList()) {
                sb.append("--- ").append(f.getFileName()).append('\n').append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    // ---- the secrets as the peers saw them ---------------------------------------------------------------------

    static final class PeerSecrets {
        private static final Pattern CREDENTIALS = Pattern.compile("(?im)(?:EDGE-TAP: |^Proxy-Authorization: *|^Authorization: *)"
                + "(Digest .*)$");
        private static final Pattern CHALLENGE = Pattern.compile("(?im)^(?:Proxy|WWW)-Authenticate: *(Digest .*)$");
        private static final Pattern PARAM = Pattern.compile("(?i)(?:^|[ ,])([a-z]+) *= *(?:\"([^\"]*)\"|([^\\s,\"]+))");
        private static final Pattern KEY = Pattern.compile("inline:([A-Za-z0-9+/]{38,40}={0,2})");

        final Set<String> responses = new LinkedHashSet<>();
        final Set<String> nonces = new LinkedHashSet<>();
        final Set<String> cnonces = new LinkedHashSet<>();
        final Set<String> realms = new LinkedHashSet<>();
        final Set<String> keys = new LinkedHashSet<>();
        int edgeResponses;
        int callerResponses;
        boolean sha256Seen;

        static PeerSecrets from(List<String> traces) {
            PeerSecrets s = new PeerSecrets();
            for (String trace : traces) {
                Matcher m = CREDENTIALS.matcher(trace);
                while (m.find()) {
                    Map<String, String> p = params(m.group(1));
                    if (p.containsKey("response") && s.responses.add(p.get("response"))) {
                        if (m.group().startsWith("EDGE-TAP")) {
                            s.edgeResponses++;
                        } else if (trace.startsWith("META-CALLER-TRACE")) {
                            s.callerResponses++;
                        }
                    }
                    addIfPresent(s.nonces, p.get("nonce"));
                    addIfPresent(s.cnonces, p.get("cnonce"));
                    addIfPresent(s.realms, p.get("realm"));
                    s.sha256Seen |= "SHA-256".equalsIgnoreCase(p.get("algorithm"));
                }
                Matcher c = CHALLENGE.matcher(trace);
                while (c.find()) {
                    Map<String, String> p = params(c.group(1));
                    addIfPresent(s.nonces, p.get("nonce"));
                    addIfPresent(s.realms, p.get("realm"));
                }
                Matcher k = KEY.matcher(trace);
                while (k.find()) {
                    if (!k.group(1).matches("A+")) {
                        s.keys.add(k.group(1));
                    }
                }
            }
            return s;
        }

        private static void addIfPresent(Set<String> set, String value) {
            if (value != null && value.length() >= 4) {
                set.add(value);
            }
        }

        private static Map<String, String> params(String value) {
            Map<String, String> p = new LinkedHashMap<>();
            Matcher m = PARAM.matcher(value);
            while (m.find()) {
                p.putIfAbsent(m.group(1).toLowerCase(), m.group(2) != null ? m.group(2) : m.group(3));
            }
            return p;
        }

        String describe() {
            return "responses " + responses.size() + " (edge " + edgeResponses + ", Meta caller " + callerResponses
                    + "), nonces " + nonces.size() + ", cnonces " + cnonces.size() + ", realms " + realms
                    + ", SRTP keys " + keys.size();
        }
    }

    /** Each needle found in each haystack (its first form found), with where and some context. */
    private static List<String> found(Map<String, String> haystacks, Map<String, List<String>> needles,
                                      LogEverything logs) {
        List<String> hits = new ArrayList<>();
        for (var hay : haystacks.entrySet()) {
            String text = hay.getKey().startsWith("log") || hay.getKey().startsWith("stdout")
                    || hay.getKey().startsWith("call log rows")
                    ? new String(hay.getValue().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)
                    : hay.getValue();
            for (var needle : needles.entrySet()) {
                for (String form : needle.getValue()) {
                    int at = text.indexOf(form);
                    if (at >= 0) {
                        hits.add(needle.getKey() + " in " + hay.getKey() + " at " + at
                                + (hay.getKey().equals("log lines") ? " (event " + logs.eventAt(at) + ")" : "") + ": ..."
                                + context(text, at, form.length()) + "...");
                        break;
                    }
                }
            }
        }
        return hits;
    }

    private static void addText(Map<String, List<String>> needles, String label, String... forms) {
        List<String> list = needles.computeIfAbsent(label, k -> new ArrayList<>());
        for (String form : forms) {
            list.add(new String(form.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Printable context around a hit, the secret itself replaced. */
    private static String context(String text, int at, int length) {
        String before = text.substring(Math.max(0, at - 60), at);
        String after = text.substring(at + length, Math.min(text.length(), at + length + 30));
        return (before + "<SECRET>" + after).replaceAll("[^\\x20-\\x7e]", ".");
    }

    /** Every row of both call-log tables as text; returns the number of rows. */
    static int rowsOf(Path db, StringBuilder out) throws Exception {
        int rows = 0;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement()) {
            for (String table : List.of("calls", "call_events")) {
                try (ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        rows++;
                        out.append(table).append(':');
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            out.append(' ').append(md.getColumnName(i)).append('=').append(rs.getString(i));
                        }
                        out.append('\n');
                    }
                }
            }
        }
        return rows;
    }

    // ---- the lab edge, with its view of the credentials logged -------------------------------------------------

    /**
     * The lab's Kamailio "Meta edge" (scripts/lab/meta-edge.sh renders and checks its configuration), with two
     * xlog lines added at the top of its request route: the Proxy-Authorization of every request and the SDP
     * body of every INVITE, as Kamailio received them. Started and stopped by the lab's own helpers (by PID).
     */
    static final class TappedEdge implements AutoCloseable {
        final int tlsPort = Lab.freePort();
        final int udpPort = Lab.freePort();
        final int uasPort = Lab.freePort();
        final Path runDir;
        private final Map<String, String> env;

        TappedEdge(Path runDir, Path certs, String password, String digestAlg) throws Exception {
            Lab.requireTool("kamailio");
            this.runDir = Files.createDirectories(runDir);
            this.env = Map.of("EDGE_TLS_PORT", "" + tlsPort, "EDGE_UDP_PORT", "" + udpPort, "UAS_PORT", "" + uasPort,
                    "PASSWORD", password, "DIGEST_ALG", digestAlg, "CERT_DIR", certs.toString(), "EDGE_CERT", "edge");
            Path script = Lab.repoRoot().resolve("scripts/lab/meta-edge.sh");
            Lab.run(List.of("bash", script.toString(), "check", runDir.toString()), env, 30);
            Path cfg = runDir.resolve("kamailio.cfg");
            String config = Files.readString(cfg);
            String tap = "request_route {\n"
                    + "\tif (is_present_hf(\"Proxy-Authorization\")) {\n"
                    + "\t\txlog(\"L_NOTICE\", \"EDGE-TAP: $hdr(Proxy-Authorization)\\n\");\n"
                    + "\t}\n"
                    + "\tif (is_method(\"INVITE\") && has_body(\"application/sdp\")) {\n"
                    + "\t\txlog(\"L_NOTICE\", \"EDGE-TAP-BODY: $rb\\n\");\n"
                    + "\t}\n";
            assertTrue(config.contains("request_route {\n"), "the edge configuration changed shape");
            Files.writeString(cfg, config.replace("request_route {\n", tap));
            Path lib = Lab.repoRoot().resolve("scripts/lab/lib.sh");
            Lab.run(List.of("bash", "-c", "source \"$1\" && lab_start_kamailio \"$2\" \"$3\" \"$4\"", "start-edge",
                    lib.toString(), runDir.toString(), "" + udpPort, "" + tlsPort), Map.of(), 30);
        }

        String log() throws Exception {
            Path log = runDir.resolve("kamailio.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        }

        @Override
        public void close() throws Exception {
            Lab.run(List.of("bash", Lab.repoRoot().resolve("scripts/lab/meta-edge.sh").toString(), "stop",
                    runDir.toString()), env, 30);
        }
    }

    // ---- every log line ----------------------------------------------------------------------------------------

    /**
     * Every logger at TRACE for the duration (JAIN-SIP through its per-class loggers as {@code bridge run} sets it,
     * java.util.logging bridged), each event rendered by the layout of the bridge's {@code logback.xml} (the one
     * {@code bridge run} writes with), and stdout/stderr copied; everything put back on close.
     */
    static final class LogEverything implements AutoCloseable {
        private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        private final LoggerContext production = new LoggerContext();
        private final Map<Logger, Level> saved = new LinkedHashMap<>();
        private final StringBuffer text = new StringBuffer();
        /** Where each event starts in {@link #text}: its level, logger and thread. */
        private final java.util.TreeMap<Integer, String> events = new java.util.TreeMap<>();
        private final ByteArrayOutputStream console = new ByteArrayOutputStream();
        private final PrintStream out = System.out;
        private final PrintStream err = System.err;
        private final boolean legacyJainSipLogger = gov.nist.core.CommonLogger.useLegacyLogger;
        private final java.util.logging.Level julLevel = java.util.logging.Logger.getLogger("").getLevel();
        private final boolean julBridged = SLF4JBridgeHandler.isInstalled();
        private final AppenderBase<ILoggingEvent> appender;
        /** The test configuration's console appender: detached, or every TRACE line would flood the report. */
        private final List<ch.qos.logback.core.Appender<ILoggingEvent>> detached = new ArrayList<>();
        private volatile boolean stopped;

        LogEverything() throws Exception {
            // The layout of the bridge's own logback.xml (what `bridge run` writes), from a context of its own.
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(production);
            configurator.doConfigure(SecretsEndToEndTest.class.getClassLoader().getResource("logback.xml"));
            assertTrue(new StatusUtil(production).getHighestLevel(0) < Status.WARN,
                    "logback.xml loads without warnings: " + production.getStatusManager().getCopyOfStatusList());
            @SuppressWarnings("unchecked")
            var stdout = (ch.qos.logback.core.OutputStreamAppender<ILoggingEvent>)
                    production.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
            Layout<ILoggingEvent> layout = ((PatternLayoutEncoder) stdout.getEncoder()).getLayout();
            // Its LevelChangePropagator copied its levels (org.jitsi WARN...) to java.util.logging: undo that.
            var jul = java.util.logging.LogManager.getLogManager();
            for (String name : java.util.Collections.list(jul.getLoggerNames())) {
                java.util.logging.Logger logger = jul.getLogger(name);
                if (logger != null && !name.isEmpty()) {
                    logger.setLevel(null);
                }
            }
            appender = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent event) {
                    if (!stopped) {
                        String line = layout.doLayout(event);
                        synchronized (text) {
                            events.put(text.length(), event.getLevel() + " " + event.getLoggerName()
                                    + " [" + event.getThreadName() + "]");
                            text.append(line);
                        }
                    }
                }
            };
            appender.setContext(context);
            appender.setName("secrets-test");
            appender.start();
            for (String name : List.of(Logger.ROOT_LOGGER_NAME, "gov.nist", "org.wabridge", "org.wabridge.wire",
                    "io.netty", "org.jitsi", "org.sqlite", "org.bouncycastle")) {
                Logger logger = context.getLogger(name);
                saved.put(logger, logger.getLevel());
                logger.setLevel(Level.TRACE);
            }
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.iteratorForAppenders().forEachRemaining(detached::add);
            detached.forEach(root::detachAppender);
            root.addAppender(appender);
            gov.nist.core.CommonLogger.useLegacyLogger = false; // as ProcessLogging does for `bridge run`
            if (!julBridged) {
                SLF4JBridgeHandler.removeHandlersForRootLogger();
                SLF4JBridgeHandler.install();
            }
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.ALL);
            System.setOut(new PrintStream(new Tee(out, console), true));
            System.setErr(new PrintStream(new Tee(err, console), true));
        }

        String text() {
            return text.toString();
        }

        /** The level, logger and thread of the event holding character {@code at} of {@link #text()}. */
        String eventAt(int at) {
            synchronized (text) {
                var e = events.floorEntry(at);
                return e == null ? "?" : e.getValue();
            }
        }

        /** Every logger that logged. */
        Set<String> loggers() {
            synchronized (text) {
                Set<String> names = new java.util.TreeSet<>();
                events.values().forEach(v -> names.add(v.split(" ")[1]));
                return names;
            }
        }

        String console() {
            synchronized (console) {
                return console.toString(StandardCharsets.UTF_8);
            }
        }

        /** Ends the recording (before the peers' traces are read into assertion messages). */
        void stop() {
            stopped = true;
            System.setOut(out);
            System.setErr(err);
        }

        @Override
        public void close() {
            stop();
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.detachAppender(appender);
            detached.forEach(root::addAppender);
            saved.forEach(Logger::setLevel);
            gov.nist.core.CommonLogger.useLegacyLogger = legacyJainSipLogger;
            production.stop();
            java.util.logging.Logger.getLogger("").setLevel(julLevel);
            if (!julBridged) {
                SLF4JBridgeHandler.uninstall();
            }
        }

        private final class Tee extends OutputStream {
            private final OutputStream original;
            private final ByteArrayOutputStream copy;

            Tee(OutputStream original, ByteArrayOutputStream copy) {
                this.original = original;
                this.copy = copy;
            }

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (!stopped) {
                    synchronized (copy) {
                        copy.write(b, off, len);
                    }
                }
                try {
                    original.write(b, off, len);
                } catch (java.io.IOException e) {
                    // the original console is gone; the copy is what the test reads
                }
            }
        }
    }
}
