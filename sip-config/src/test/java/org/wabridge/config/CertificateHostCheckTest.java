package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host-name rules the JDK's check applies, on certificates made with openssl at test time. */
class CertificateHostCheckTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        make("exact", "/CN=sip.example.test", "subjectAltName=DNS:sip.example.test");
        make("wildcard", "/CN=*.example.test", "subjectAltName=DNS:*.example.test");
        make("partial", "/CN=x", "subjectAltName=DNS:sip*.example.test");
        make("inner", "/CN=x", "subjectAltName=DNS:a.*.example.test");
        make("cnonly", "/CN=sip.example.test", null);
        make("cnignored", "/CN=cn.example.test", "subjectAltName=DNS:san.example.test");
        make("ips", "/CN=192.0.2.10", "subjectAltName=IP:192.0.2.10,IP:2001:db8::1");
        make("ipcn", "/CN=192.0.2.10", null);
        make("ipasdns", "/CN=x", "subjectAltName=DNS:192.0.2.10");
    }

    private static void make(String name, String subject, String san, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "30",
                "-subj", subject));
        if (san != null) {
            command.addAll(List.of("-addext", san));
        }
        for (String ext : more) {
            command.addAll(List.of("-addext", ext));
        }
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), () -> command + ": " + out);
    }

    private static CertificateHostCheck.Result check(String cert, String host) throws Exception {
        try (InputStream in = Files.newInputStream(dir.resolve(cert + ".pem"))) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return CertificateHostCheck.check(c, host);
        }
    }

    private static void covers(String cert, String host) throws Exception {
        CertificateHostCheck.Result r = check(cert, host);
        assertTrue(r.covered(), cert + " covers " + host + ": " + r);
    }

    private static void doesNotCover(String cert, String host) throws Exception {
        CertificateHostCheck.Result r = check(cert, host);
        assertFalse(r.covered(), cert + " does not cover " + host);
        assertFalse(r.reason() == null || r.reason().isBlank(), "the JDK says why");
    }

    @Test
    void exactNamesIgnoringCase() throws Exception {
        covers("exact", "sip.example.test");
        covers("exact", "SIP.Example.TEST");
        doesNotCover("exact", "other.example.test");
        doesNotCover("exact", "example.test");
        doesNotCover("exact", "a.sip.example.test");
    }

    @Test
    void aWildcardStandsForExactlyOneLeftmostLabel() throws Exception {
        covers("wildcard", "sip.example.test");
        doesNotCover("wildcard", "a.sip.example.test");
        doesNotCover("wildcard", "example.test");
        doesNotCover("wildcard", ".example.test");
        // RFC 2818 (the JDK) lets a wildcard stand in another label too; public CAs do not issue such names
        covers("inner", "a.b.example.test");
        doesNotCover("inner", "a.b.c.example.test");
        // within the leftmost label a partial wildcard counts, as RFC 6125 6.4.3 lets a client do
        covers("partial", "sip1.example.test");
        doesNotCover("partial", "web.example.test");
        doesNotCover("partial", "sip1.a.example.test");
    }

    @Test
    void theCommonNameCountsOnlyWithoutDnsNames() throws Exception {
        covers("cnonly", "sip.example.test");
        doesNotCover("cnignored", "cn.example.test");
        covers("cnignored", "san.example.test");
    }

    @Test
    void addressesMatchOnlyIpEntries() throws Exception {
        covers("ips", "192.0.2.10");
        covers("ips", "2001:db8:0:0:0:0:0:1");
        doesNotCover("ips", "192.0.2.11");
        doesNotCover("ipcn", "192.0.2.10");
        doesNotCover("ipasdns", "192.0.2.10");
    }
}
