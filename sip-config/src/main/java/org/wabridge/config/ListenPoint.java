package org.wabridge.config;

/** One SIP listening socket: transport, bind host and port. */
public record ListenPoint(Transport transport, String host, int port) {
    @Override
    public String toString() {
        return transport.token() + ":" + host + ":" + port;
    }
}
