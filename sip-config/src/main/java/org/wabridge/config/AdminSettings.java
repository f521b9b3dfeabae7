package org.wabridge.config;

/**
 * The local admin HTTP API (health, Prometheus metrics, call log).
 *
 * @param enabled false turns the API off
 * @param host    address to bind; loopback by default so that only this host can read the call log
 * @param port    TCP port
 * @param token   when set, every request needs {@code Authorization: Bearer <token>}; null = no token
 */
public record AdminSettings(boolean enabled, String host, int port, String token) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;

    /** What a configuration without an {@code admin} section gets. */
    public static final AdminSettings DEFAULTS = new AdminSettings(true, DEFAULT_HOST, DEFAULT_PORT, null);

    /** Never shows the token. */
    @Override
    public String toString() {
        return "AdminSettings[enabled=" + enabled + ", host=" + host + ", port=" + port
                + ", token=" + (token == null ? "none" : "****") + "]";
    }
}
