package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.config.Pem;

/** scripts/certs as an admin runs it, checked with openssl itself and the bridge's own PEM reader. */
class CertsScriptTest {

    @TempDir
    Path tmp;

    record Run(int exit, String output) {}

    static Path script() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("scripts/certs"))) {
            p = p.getParent();
        }
        return p.resolve("scripts/certs");
    }

    static Run run(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", script().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "scripts/certs hung");
        return new Run(p.exitValue(), out);
    }

    @Test
    void selfSignedCertificateAndConvertedKeyAreWhatTheBridgeReads() throws Exception {
        Run made = run("self-signed", "sip.example.test", tmp.toString());
        assertEquals(0, made.exit(), made.output());
        assertEquals(1, Pem.certificates(Pem.read(tmp.resolve("sip.example.test.pem"))).size());
        assertTrue(Pem.certificates(Pem.read(tmp.resolve("sip.example.test.pem"))).get(0).getSubjectAlternativeNames()
                .toString().contains("sip.example.test"));
        assertTrue(Files.readString(tmp.resolve("sip.example.test.key")).contains("BEGIN PRIVATE KEY"));

        Path rsa = tmp.resolve("rsa.key");
        Process genrsa = new ProcessBuilder("openssl", "genrsa", "-traditional", "-out", rsa.toString(), "2048")
                .redirectErrorStream(true).start();
        genrsa.getInputStream().readAllBytes();
        assertEquals(0, genrsa.waitFor());
        assertTrue(Files.readString(rsa).contains("BEGIN RSA PRIVATE KEY"), "a traditional key to convert");
        Run converted = run("pkcs8", rsa.toString(), tmp.resolve("rsa.pk8").toString());
        assertEquals(0, converted.exit(), converted.output());
        Pem.Block block = Pem.read(tmp.resolve("rsa.pk8")).get(0);
        assertEquals("PRIVATE KEY", block.type());
        Pem.pkcs8(block, "RSA"); // the bridge's loader accepts it

        Run bad = run("pkcs8", tmp.resolve("missing.key").toString(), tmp.resolve("x").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.output().contains("cannot read"), bad.output());
    }

    @Test
    void checkAcceptsACertificateForTheNameAndRefusesOneForAnother() throws Exception {
        assertEquals(0, run("self-signed", "localhost", tmp.resolve("good").toString()).exit());
        assertEquals(0, run("self-signed", "other.example.test", tmp.resolve("bad").toString()).exit());
        Path good = tmp.resolve("good/localhost.pem");
        assertEquals(0, serveAndCheck(good, tmp.resolve("good/localhost.key"), good).exit());
        Run refused = serveAndCheck(tmp.resolve("bad/other.example.test.pem"), tmp.resolve("bad/other.example.test.key"),
                tmp.resolve("bad/other.example.test.pem"));
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("Meta would refuse"), refused.output());
    }

    /** openssl s_server on a free loopback port with {@code cert}; then scripts/certs check localhost PORT CA. */
    private Run serveAndCheck(Path cert, Path key, Path ca) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert.toString(),
                "-key", key.toString(), "-quiet").redirectErrorStream(true)
                .redirectOutput(new File(tmp.resolve("s_server-" + port + ".log").toString())).start();
        try {
            for (int i = 0; i < 50; i++) { // until it listens (it keeps accepting after this probe)
                try (java.net.Socket probe = new java.net.Socket()) {
                    probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                    break;
                } catch (java.io.IOException notYet) {
                    Thread.sleep(100);
                }
            }
            return run("check", "localhost", "" + port, ca.toString());
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
