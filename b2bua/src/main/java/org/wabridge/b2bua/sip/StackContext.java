package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.SipStackImpl;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * What our JAIN-SIP plug-ins (router, network layer) need. JAIN-SIP creates them by class name and only
 * passes String properties through, so each stack carries an id under {@link #PROPERTY} and the plug-ins look
 * their context up here. The bridge unregisters it when the stack stops.
 */
public record StackContext(String id, SSLContext tlsClient, SSLContext tlsServer, HostResolver resolver,
                           String edgeHost, int connectTimeoutMillis, MetaConnectionGuard metaListener) {

    public static final String PROPERTY = "org.wabridge.stack-context";

    private static final Map<String, StackContext> REGISTRY = new ConcurrentHashMap<>();

    /** A context whose Meta listener admits every source (tests of the network layer alone). */
    StackContext(String id, SSLContext tlsClient, SSLContext tlsServer, HostResolver resolver, String edgeHost,
                 int connectTimeoutMillis) {
        this(id, tlsClient, tlsServer, resolver, edgeHost, connectTimeoutMillis,
                MetaConnectionGuard.admitAll(HANDSHAKE_TIMEOUT_MILLIS));
    }

    /** A registered context whose listener admits every source (the sandbox's simulated edge, tests). */
    public static StackContext register(SSLContext tlsClient, SSLContext tlsServer, HostResolver resolver,
                                        String edgeHost, int connectTimeoutMillis) {
        return register(tlsClient, tlsServer, resolver, edgeHost, connectTimeoutMillis,
                MetaConnectionGuard.admitAll(HANDSHAKE_TIMEOUT_MILLIS));
    }

    /** How long an accepted TLS connection has to complete its handshake (JAIN-SIP's SSL_HANDSHAKE_TIMEOUT too). */
    public static final int HANDSHAKE_TIMEOUT_MILLIS = 5000;

    public static StackContext register(SSLContext tlsClient, SSLContext tlsServer, HostResolver resolver,
                                        String edgeHost, int connectTimeoutMillis, MetaConnectionGuard metaListener) {
        StackContext ctx = new StackContext(UUID.randomUUID().toString(), tlsClient, tlsServer, resolver,
                edgeHost, connectTimeoutMillis, metaListener);
        REGISTRY.put(ctx.id, ctx);
        return ctx;
    }

    public void unregister() {
        REGISTRY.remove(id);
    }

    static StackContext of(javax.sip.SipStack stack) {
        String id = ((SipStackImpl) stack).getConfigurationProperties().getProperty(PROPERTY);
        StackContext ctx = id == null ? null : REGISTRY.get(id);
        if (ctx == null) {
            throw new IllegalStateException("SIP stack has no registered " + PROPERTY);
        }
        return ctx;
    }
}
