package org.wabridge.b2bua.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One lab edge for a whole test class (Kamailio playing wa.meta.vc with TLS and an MD5 407, password
 * {@link #PASSWORD}) with its test PKI and a scratch directory:
 * {@code @RegisterExtension static final EdgeFixture EDGE = new EdgeFixture();}
 */
final class EdgeFixture implements BeforeAllCallback, AfterAllCallback {

    static final String PASSWORD = "lab-secret";

    private Path root;
    private Path certs;
    private Lab.Edge edge;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        root = Files.createTempDirectory("bridge-it-edge-");
        certs = Lab.certs(root.resolve("certs"));
        edge = new Lab.Edge(dir("edge"), certs, PASSWORD, "MD5", "edge");
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (root != null) {
            Lab.deleteTree(root);
        }
    }

    Path certs() {
        return certs;
    }

    Lab.Edge edge() {
        return edge;
    }

    /** A fresh directory for one peer's files (SIPp, a call log). */
    Path dir(String name) throws IOException {
        return Files.createDirectories(root.resolve(name + "-" + System.nanoTime()));
    }
}
