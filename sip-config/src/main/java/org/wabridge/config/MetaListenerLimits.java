package org.wabridge.config;

import java.time.Duration;

/**
 * Limits of the Meta-side listener (TLS, or TCP in a lab), applied to each connection as it is accepted.
 *
 * @param maxConnections          {@code meta.tlsMaxConnections}: connections held at once; beyond, a new one is
 *                                closed at accept (each holds a reader thread, and a second once it sends messages)
 * @param maxConnectionsPerSource {@code meta.tlsMaxConnectionsPerSource}: connections held at once from one address
 * @param idleTimeout             {@code meta.tlsIdleTimeout}: an accepted connection that sends no byte for this long
 *                                is closed (Meta's RFC 5626 CRLF keep-alives count); must outlast any quiet call,
 *                                though closing it ends no call (Meta opens a new connection for its next request)
 */
public record MetaListenerLimits(int maxConnections, int maxConnectionsPerSource, Duration idleTimeout) {

    /** Meta's edges open a handful of connections; 256 of them (512 threads) are cheap, and a flood stays bounded. */
    public static final MetaListenerLimits DEFAULTS = new MetaListenerLimits(256, 32, Duration.ofHours(2));
}
