package org.wabridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;

/** The sandbox reads the bridge's own YAML: edge address, numbers, hostname, and its users table. */
class SandboxSettingsTest {

    @TempDir
    Path dir;

    @Test
    void labYamlGivesTheEdgeWhereTheBridgeLooksAndTheUsersTable() throws Exception {
        Path yaml = Path.of("..", "sip-config", "examples", "lab.yaml").toAbsolutePath().normalize();
        Map<String, String> env = Map.of("META_EDGE", "sip:wa.meta.vc:45061;transport=tls", "SANDBOX_DIGEST", "both",
                "META_TLS_TRUST", dir.resolve("certs/edge-ca.pem").toString());
        BridgeConfig cfg = ConfigLoader.load(yaml, env);
        SandboxSettings s = SandboxSettings.of(cfg, ConfigLoader.loadSandbox(yaml, env));
        assertEquals(45061, s.tlsPort());
        assertEquals("wa.meta.vc", s.rules().edgeHost());
        assertEquals("bridge.example.test", s.rules().configuredHost());
        assertEquals(List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5), s.rules().algorithms());
        assertEquals(UserBehaviour.DECLINE, s.rules().behaviourOf("+15550100486"));
        assertEquals(UserBehaviour.ANSWER, s.rules().behaviourOf("+15550100099"));
        assertEquals(dir.resolve("certs"), s.certDir());
        assertTrue(s.rules().passwords().containsKey("+15550100001"));
        assertTrue(!s.rules().toString().contains("lab-secret"), "settings never print a password");
    }

    @Test
    void anUnknownBehaviourIsRefusedWithTheKeyAndTheChoices() throws Exception {
        Path yaml = Path.of("..", "sip-config", "examples", "lab.yaml").toAbsolutePath().normalize();
        BridgeConfig cfg = ConfigLoader.load(yaml, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SandboxSettings.of(cfg,
                Map.of("users", Map.of("+1555", "hang-around"))));
        assertTrue(e.getMessage().contains("sandbox.users.+1555") && e.getMessage().contains("no-permission"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SandboxSettings.of(cfg, Map.of("digest", "MD5-sess")));
        assertThrows(IllegalArgumentException.class, () -> SandboxSettings.of(cfg, Map.of("colour", "red")));
    }

    @Test
    void labCaMakesCertificatesTheBridgesTlsCodeAccepts() throws Exception {
        Path certs = dir.resolve("pki");
        LabCa.ensure(certs, "wa.meta.vc", "bridge.example.test");
        for (String f : List.of("edge-ca.pem", "edge-ca.key", "edge.pem", "edge.key", "bridge.pem", "bridge.key")) {
            assertTrue(Files.size(certs.resolve(f)) > 100, f);
        }
        // the edge's chain verifies against the CA with the edge's name: a TLS handshake in memory
        var client = org.wabridge.b2bua.sip.TlsContexts.client(certs.resolve("edge-ca.pem"));
        var server = org.wabridge.b2bua.sip.TlsContexts.server(certs.resolve("edge.pem"), certs.resolve("edge.key"));
        assertTrue(org.wabridge.b2bua.sip.TlsContexts.warmUp(client, server, "wa.meta.vc").handshakeCompleted());
        String before = Files.readString(certs.resolve("edge.pem"));
        LabCa.ensure(certs, "wa.meta.vc", "bridge.example.test");
        assertEquals(before, Files.readString(certs.resolve("edge.pem")), "existing files are kept");
    }
}
