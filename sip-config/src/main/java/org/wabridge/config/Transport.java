package org.wabridge.config;

import java.util.Locale;

/** SIP transports the bridge can listen on or send over. */
public enum Transport {
    UDP, TCP, TLS;

    /** The lower-case token used in SIP URIs ({@code transport=tls}) and in YAML. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Transport parse(String value) {
        return Transport.valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
