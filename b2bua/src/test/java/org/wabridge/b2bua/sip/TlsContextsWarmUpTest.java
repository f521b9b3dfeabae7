package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.SipStackImpl;
import java.nio.file.Path;
import java.util.Properties;
import javax.sip.SipFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.it.Lab;

/**
 * The stack warm-up run when JAIN-SIP creates our network layer. The TLS part really runs a handshake between the bridge's own client and server contexts (in memory), before
 * the stack listens; it never throws, also when the client does not trust our certificate or there is no server.
 */
class TlsContextsWarmUpTest {

    @TempDir
    static Path dir;
    static Path certs;

    @BeforeAll
    static void pki() throws Exception {
        certs = Lab.certs(dir.resolve("certs"));
    }

    @Test
    void ourClientAndServerContextsCompleteAHandshakeInMemory() throws Exception {
        SSLContext client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        SSLContext server = TlsContexts.server(certs.resolve("bridge.pem"), certs.resolve("bridge.key"));
        TlsContexts.WarmUp w = TlsContexts.warmUp(client, server, "wa.meta.vc");
        assertTrue(w.handshakeCompleted(), "lab client trusts the lab CA that signed bridge.pem: " + w);
        assertNull(w.note());
        assertTrue(w.nanos() > 0);
    }

    @Test
    void aClientThatDoesNotTrustOurCertificateStopsEarlyWithoutThrowing() throws Exception {
        SSLContext jvmTrust = TlsContexts.client(null); // the lab CA is not in the JVM's trust store
        SSLContext server = TlsContexts.server(certs.resolve("bridge.pem"), certs.resolve("bridge.key"));
        TlsContexts.WarmUp w = TlsContexts.warmUp(jvmTrust, server, "wa.meta.vc");
        assertFalse(w.handshakeCompleted(), w.toString());
        assertNotNull(w.note());
        assertTrue(w.note().contains("SSLHandshakeException"), w.note());
    }

    @Test
    void withoutAServerContextOnlyTheClientHelloIsBuilt() throws Exception {
        TlsContexts.WarmUp w = TlsContexts.warmUp(TlsContexts.client(certs.resolve("edge-ca.pem")), null, "wa.meta.vc");
        assertFalse(w.handshakeCompleted());
        assertTrue(w.note().contains("no TLS server context"), w.note());
    }

    /** JAIN-SIP builds our network layer while the stack is created: the warm-up has run before anything listens. */
    @Test
    void aNewSipStackHasWarmedUpTlsBeforeItListens() throws Exception {
        SSLContext client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        SSLContext server = TlsContexts.server(certs.resolve("bridge.pem"), certs.resolve("bridge.key"));
        StackContext context = StackContext.register(client, server, new HostResolver(), "wa.meta.vc", 2000);
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "warm-up-test-" + context.id());
        p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", TlsNetworkLayer.class.getName());
        p.setProperty(StackContext.PROPERTY, context.id());
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        int sipWarmUps = SipWarmUp.runs();
        SipStackImpl stack = (SipStackImpl) factory.createSipStack(p);
        try {
            TlsContexts.WarmUp w = ((TlsNetworkLayer) stack.getNetworkLayer()).tlsWarmUp();
            assertNotNull(w, "the stack's network layer ran no TLS warm-up");
            assertTrue(w.handshakeCompleted(), w.toString());
            assertEquals(sipWarmUps + 1, SipWarmUp.runs(), "creating the stack ran the SIP parser warm-up");
            assertEquals(7, SipWarmUp.parsed(), "every sample message of the SIP warm-up parses");
        } finally {
            stack.stop();
            context.unregister();
        }
    }

    @Test
    void theNetworkLayerWarmsUpItsContextsOnce() throws Exception {
        SSLContext client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        SSLContext server = TlsContexts.server(certs.resolve("bridge.pem"), certs.resolve("bridge.key"));
        TlsNetworkLayer layer = new TlsNetworkLayer(new StackContext("warm-up-test", client, server, new HostResolver(),
                "wa.meta.vc", 2000));
        TlsContexts.WarmUp first = layer.warmUpTls();
        assertTrue(first.handshakeCompleted(), first.toString());
        assertSame(first, layer.warmUpTls(), "one warm-up per stack");
    }
}
