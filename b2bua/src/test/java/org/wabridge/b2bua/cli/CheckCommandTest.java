package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wabridge.b2bua.it.Lab;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.MediaSettings.MediaMode;
import org.wabridge.config.SrtpKeyExchange;
import picocli.CommandLine;

/**
 * {@code bridge check -c FILE} as an admin runs it: a lab configuration passes, each of the mistakes that would
 * cost a call at Meta is reported with its rule's message and exit status 1, and a certificate close to expiry is
 * a warning that does not fail the check.
 */
class CheckCommandTest {

    static final String PASSWORD = "lab-secret";

    @TempDir
    static Path tmp;
    static Path certs;

    @BeforeAll
    static void createCertificates() throws Exception {
        certs = Lab.certs(tmp.resolve("certs"));
    }

    /** A lab configuration with the lab PKI: everything on loopback, the bridge certificate for its names. */
    static String goodConfig() {
        return """
                pbx:
                  listen:
                    - {transport: udp, host: 127.0.0.1, port: 25060}
                  allowedSources: [127.0.0.0/8]
                  target: "sip:127.0.0.1:25070"
                meta:
                  edgeUri: "sip:wa.meta.vc:5061;transport=tls"
                  edgeAddress: 127.0.0.1
                  sipServerHostname: bridge.example.test
                  tlsTrust: %1$s/edge-ca.pem
                  listen: {transport: tls, host: 127.0.0.1, port: 25061}
                  publicHost: 127.0.0.1
                  tlsCertificate: %1$s/bridge.pem
                  tlsKey: %1$s/bridge.key
                  numbers:
                    - {number: "+15550100001", password: "%2$s"}
                media:
                  mode: relay
                  bindAddress: 127.0.0.1
                  portMin: 30000
                  portMax: 30999
                limits:
                  maxCallsPerNumber: 10
                """.formatted(certs, PASSWORD);
    }

    record Outcome(int exitCode, String output) {}

    static Outcome check(String yaml) throws Exception {
        Path file = Files.createTempFile(tmp, "bridge-", ".yaml");
        Files.writeString(file, yaml);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int exit;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            exit = new CommandLine(new Main()).execute("check", "-c", file.toString());
        } finally {
            System.setOut(original);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output); // visible in the test report
        return new Outcome(exit, output);
    }

    static String replaceLine(String yaml, String start, String replacement) {
        assertTrue(yaml.lines().anyMatch(l -> l.stripLeading().startsWith(start)), "no line starting with " + start);
        return String.join("\n", yaml.lines().map(l -> l.stripLeading().startsWith(start)
                ? l.substring(0, l.indexOf(start)) + replacement : l).toList()) + "\n";
    }

    @Test
    void labConfigurationPasses() throws Exception {
        Outcome result = check(goodConfig());
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(": OK (1 business number(s), edge sip:wa.meta.vc:5061;transport=tls)"),
                result.output());
        assertFalse(result.output().contains("ERROR"), result.output());
        assertFalse(result.output().contains("WARNING"), result.output());
        assertFalse(result.output().contains(PASSWORD), "the password must not be printed");
        assertTrue(result.output().contains("  +15550100001: DTLS (Meta's default). The bridge offers Meta ICE and "
                + "DTLS-SRTP"), result.output());
        assertTrue(result.output().contains("Meta must reach UDP 127.0.0.1 ports 30000..30999 (ICE, DTLS and media)"),
                result.output());
        assertTrue(result.output().contains("127.0.0.1 is not a public address: fine in a lab"), result.output());
        assertFalse(result.output().contains("cannot key it"), result.output());
        assertTrue(result.output().contains("  offer to Meta: m=audio 30002 UDP/TLS/RTP/SAVPF 111 126, ICE host candidate "
                + "127.0.0.1:30002 (the call's port), a=fingerprint:sha-256, a=setup:actpass"), result.output());
    }

    @Test
    void sdesNumberIsReportedWithWhatItNeedsAtMeta() throws Exception {
        Outcome result = check(replaceLine(goodConfig(), "- {number:",
                "- {number: \"+15550100001\", password: \"" + PASSWORD + "\", srtpKeyExchange: SDES}"));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("  +15550100001: SDES. The bridge offers Meta SRTP keys in the SDP "
                + "(a=crypto)"), result.output());
        assertTrue(result.output().contains("Meta's default is DTLS: set srtp_key_exchange_protocol SDES at Meta and "
                + "GET it back after every POST"), result.output());
        assertFalse(result.output().contains("ICE, DTLS and media"), result.output());
        assertTrue(result.output().contains("  offer to Meta: m=audio 30002 RTP/SAVP 111 126 with an a=crypto key (SDES)"),
                result.output());
        assertTrue(result.output().contains("A user-initiated call follows Meta's offer"), result.output());
        assertTrue(result.output().contains("  codecs: a PBX offering Opus is passed through; a PBX offering only"
                + " PCMU/PCMA is transcoded by the relay (Opus toward Meta, G.711 toward the PBX), up to 20 such calls"),
                result.output());
    }

    @Test
    void dtlsInPassthroughIsReportedAsNotKeyedByTheRelay() throws Exception {
        Outcome result = check(replaceLine(goodConfig(), "mode:", "mode: passthrough"));
        assertEquals(0, result.exitCode(), "passthrough is a lab warning, not an error:\n" + result.output());
        assertTrue(result.output().contains("WARNING meta.numbers[0].srtpKeyExchange: +15550100001 is keyed by DTLS, "
                + "but media.mode passthrough copies SDP and cannot key"), result.output());
        assertTrue(result.output().contains("    cannot key it: media.mode passthrough copies SDP, so the PBX itself "
                + "must run ICE and DTLS toward Meta"), result.output());
        assertFalse(result.output().contains("Meta must reach UDP"), "no relay ports in passthrough:\n" + result.output());
    }

    @Test
    void theG711ChoiceFollowsTheSettings() {
        MediaSettings media = media(MediaMode.RELAY, "203.0.113.10");
        assertTrue(org.wabridge.media.MetaOfferPreview.g711PbxChoice(media.withMaxTranscodedCalls(0),
                SrtpKeyExchange.SDES).contains("refused with 488"));
        assertTrue(org.wabridge.media.MetaOfferPreview.g711PbxChoice(media.withMaxTranscodedCalls(5),
                SrtpKeyExchange.SDES).contains("up to 5 such calls"));
    }

    @Test
    void dtlsNeedsAConcreteAddressAsItsIceHostCandidateAndRelayMode() throws Exception {
        assertNull(CheckCommand.dtlsCannot(media(MediaMode.RELAY, "203.0.113.10")));
        assertNull(CheckCommand.dtlsCannot(media(MediaMode.RELAY, "2001:db8::10")));
        assertTrue(CheckCommand.dtlsCannot(media(MediaMode.RELAY, "0.0.0.0")).contains("0.0.0.0 is a wildcard"));
        assertTrue(CheckCommand.dtlsCannot(media(MediaMode.RELAY, "::")).contains(":: is a wildcard"));
        assertTrue(CheckCommand.dtlsCannot(media(MediaMode.RELAY, "media.example.com"))
                .contains("'media.example.com' is not an IP address"));
        assertTrue(CheckCommand.dtlsCannot(media(MediaMode.PASSTHROUGH, "203.0.113.10")).contains("passthrough"));
    }

    @Test
    void theOfferItWouldSendIsJudgedNotJustTheSettings() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertNull(CheckCommand.offerProblem(media(MediaMode.RELAY, "203.0.113.10"),
                SrtpKeyExchange.DTLS, quiet));
        assertNull(CheckCommand.offerProblem(media(MediaMode.RELAY, "2001:db8::10"),
                SrtpKeyExchange.DTLS, quiet));
        // a wildcard cannot be a candidate: the relay would fall back to SDES offers, which Meta's DTLS mode refuses
        String problem = CheckCommand.offerProblem(media(MediaMode.RELAY, "0.0.0.0"),
                SrtpKeyExchange.DTLS, quiet);
        assertTrue(problem != null && problem.contains("RTP/SAVP") && problem.contains("not DTLS-SRTP"), problem);
        assertNull(CheckCommand.offerProblem(media(MediaMode.RELAY, "0.0.0.0"),
                SrtpKeyExchange.SDES, quiet));
    }

    @Test
    void publicRelayAddressGetsNoNatNote() throws Exception {
        Outcome result = check(goodConfig().replace("  bindAddress: 127.0.0.1\n",
                "  bindAddress: 127.0.0.1\n  publicAddress: 203.0.113.10\n"));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("Meta must reach UDP 203.0.113.10 ports 30000..30999"), result.output());
        assertFalse(result.output().contains("not a public address"), result.output());
    }

    static MediaSettings media(MediaMode mode, String publicAddress) {
        Duration s = Duration.ofSeconds(1);
        return new MediaSettings(mode, "0.0.0.0", publicAddress, 20000, 29999, false, s, s, s, s, s, s);
    }

    /** One mistake: how to make it, the YAML path it is reported at, and a part of its rule's message. */
    record Mistake(String name, UnaryOperator<String> edit, String path, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Mistake> mistakes() {
        return Stream.of(
                new Mistake("From domain not a parent of the hostname",
                        y -> y.replace("  sipServerHostname: bridge.example.test\n",
                                "  sipServerHostname: bridge.example.test\n  fromDomain: example.org\n"),
                        "meta.fromDomain", "From domain 'example.org' is neither sipServerHostname 'bridge.example.test' "
                                + "nor a parent domain of it"),
                new Mistake("sips: edge URI",
                        y -> replaceLine(y, "edgeUri:", "edgeUri: \"sips:wa.meta.vc:5061\""),
                        "meta.edgeUri", "uses the sips: scheme; Meta answers 404 Not Found"),
                new Mistake("non-loopback IP edge URI",
                        y -> replaceLine(y, "edgeUri:", "edgeUri: \"sip:192.0.2.10:5061;transport=tls\""),
                        "meta.edgeUri", "has an IP address as host; Meta answers 404 Not Found"),
                new Mistake("business number not E.164",
                        y -> replaceLine(y, "- {number:", "- {number: \"15550100001\", password: \"" + PASSWORD + "\"}"),
                        "meta.numbers[0].number", "'15550100001' is not a normalised E.164 number"),
                new Mistake("missing password",
                        y -> replaceLine(y, "- {number:", "- {number: \"+15550100001\"}"),
                        "meta.numbers[0].password", "the SIP password for +15550100001 is missing"),
                new Mistake("TLS certificate for another name",
                        y -> replaceLine(replaceLine(y, "tlsCertificate:", "tlsCertificate: " + certs + "/wrong-name.pem"),
                                "tlsKey:", "tlsKey: " + certs + "/wrong-name.key"),
                        "meta.tlsCertificate", "does not cover 'bridge.example.test' (meta.sipServerHostname)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakeIsExplainedAndFailsTheCheck(Mistake mistake) throws Exception {
        String yaml = mistake.edit().apply(goodConfig());
        assertFalse(yaml.equals(goodConfig()), "the edit must change the configuration");
        Outcome result = check(yaml);
        assertEquals(1, result.exitCode(), result.output());
        String reported = result.output().lines()
                .filter(l -> l.contains("ERROR " + mistake.path() + ": ") && l.contains(mistake.message()))
                .findFirst().orElse("");
        assertTrue(reported.contains(mistake.message()), "expected an ERROR at " + mistake.path() + " saying '"
                + mistake.message() + "':\n" + result.output());
        assertTrue(reported.contains(". Fix: "), "every error says how to fix it: " + reported);
        assertTrue(result.output().contains("error(s): fix them before any call is placed."), result.output());
        assertFalse(result.output().contains(": OK ("), result.output());
    }

    @Test
    void loopbackIpEdgeUriIsOnlyAWarningForALab() throws Exception {
        Outcome result = check(replaceLine(goodConfig(), "edgeUri:", "edgeUri: \"sip:127.0.0.1:5061;transport=tls\""));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("WARNING meta.edgeUri: 'sip:127.0.0.1:5061;transport=tls' has a loopback IP"),
                result.output());
        assertTrue(result.output().contains(": OK ("), result.output());
    }

    @Test
    void certificateExpiringWithinTwoWeeksIsAWarning() throws Exception {
        Path soon = certificateValidForDays(5);
        Outcome result = check(replaceLine(replaceLine(goodConfig(), "tlsCertificate:", "tlsCertificate: " + soon),
                "tlsKey:", "tlsKey: " + soon.resolveSibling("soon.key")));
        assertEquals(0, result.exitCode(), "an expiry warning must not fail the check:\n" + result.output());
        String warning = result.output().lines().filter(l -> l.contains("WARNING meta.tlsCertificate: ")).findFirst().orElse("");
        assertTrue(warning.matches(".*certificate " + java.util.regex.Pattern.quote(soon.toString())
                        + " expires on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(in [45] days\\).*"),
                "expected the expiry warning:\n" + result.output());
        assertTrue(result.output().contains(": OK ("), result.output());
    }

    /** A bridge certificate (same names as the lab's) signed by the lab CA, valid for {@code days} days. */
    static Path certificateValidForDays(int days) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("soon"));
        Path key = dir.resolve("soon.key");
        Path csr = dir.resolve("soon.csr");
        Path ext = dir.resolve("ext.cnf");
        Path leaf = dir.resolve("leaf.pem");
        Files.writeString(ext, "basicConstraints=critical,CA:FALSE\n"
                + "subjectAltName=DNS:bridge.example.test,IP:127.0.0.1\n");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl("req", "-new", "-key", key.toString(), "-subj", "/O=WA Bridge Lab/CN=bridge.example.test",
                "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", certs.resolve("edge-ca.pem").toString(),
                "-CAkey", certs.resolve("edge-ca.key").toString(), "-set_serial", "0x" + Long.toHexString(System.nanoTime()),
                "-days", "" + days, "-sha256", "-extfile", ext.toString(), "-out", leaf.toString());
        Path chain = dir.resolve("soon.pem");
        Files.writeString(chain, Files.readString(leaf) + Files.readString(certs.resolve("edge-ca.pem")));
        return chain;
    }

    static void openssl(String... args) throws Exception {
        List<String> command = Stream.concat(Stream.of("openssl"), Stream.of(args)).toList();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl did not finish: " + command);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + output);
    }
}
