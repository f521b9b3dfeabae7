package org.wabridge.config;

/**
 * The WhatsApp number settings this configuration needs at Meta: the body of
 * {@code POST /<PHONE_NUMBER_ID>/settings} (Meta's SIP configuration guide). Calling on, SIP on, our hostname and
 * TLS port as the number's only SIP server, SDES keying (the relay speaks SDES; DTLS is Meta's default and would
 * fail), and G.711 only when the configuration says the PBX leg may use it.
 */
public final class MetaSettings {

    private MetaSettings() {}

    /** The settings JSON for the number, pretty-printed. */
    public static String json(BridgeConfig config) {
        MetaSide meta = config.meta();
        String codecs = config.media().g711EnabledAtMeta()
                ? ",\n    \"audio\": {\"additional_codecs\": [\"PCMA\", \"PCMU\"]}" : "";
        return """
                {
                  "calling": {
                    "status": "ENABLED",
                    "sip": {
                      "status": "ENABLED",
                      "servers": [{"hostname": %s, "port": %d}]
                    },
                    "srtp_key_exchange_protocol": "SDES"%s
                  }
                }""".formatted(quote(meta.sipServerHostname()), meta.publicPort(), codecs);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
