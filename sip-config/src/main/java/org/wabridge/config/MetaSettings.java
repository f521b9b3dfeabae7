package org.wabridge.config;

import java.util.List;

/**
 * The WhatsApp number settings this configuration needs at Meta: the body of
 * {@code POST /<PHONE_NUMBER_ID>/settings} (Meta's SIP configuration guide). Calling on, SIP on, our hostname and
 * TLS port as the number's only SIP server, the number's {@code srtpKeyExchange}, and G.711 only when the
 * configuration says the PBX leg may use it.
 */
public final class MetaSettings {

    private MetaSettings() {}

    /**
     * The settings JSON for {@code number}, pretty-printed. The keying is written even when it is Meta's default
     * (DTLS): Meta leaves a never-set {@code srtp_key_exchange_protocol} out of its GET answer, and the GET after the
     * POST is how an admin checks it.
     */
    public static String json(BridgeConfig config, BusinessNumber number) {
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
                    "srtp_key_exchange_protocol": "%s"%s
                  }
                }""".formatted(quote(meta.sipServerHostname()), meta.publicPort(), number.srtpKeyExchange().name(),
                codecs);
    }

    /** What the admin must do or open at Meta's side for {@code number}'s keying, one sentence per line. */
    public static List<String> notes(BridgeConfig config, BusinessNumber number) {
        MediaSettings media = config.media();
        return switch (number.srtpKeyExchange()) {
            case SDES -> List.of(
                    "SDES must be set explicitly: Meta's default is DTLS.",
                    "GET /<PHONE_NUMBER_ID>/settings after every POST and check that srtp_key_exchange_protocol is "
                            + "SDES: one integrator reports that updating the SIP settings resets it to DTLS (the "
                            + "workaround: a separate, final POST of {\"calling\": {\"srtp_key_exchange_protocol\": "
                            + "\"SDES\"}}).");
            case DTLS -> List.of(
                    "DTLS is Meta's default; the bridge runs ICE (controlling) and the DTLS handshake as client.",
                    "Meta's media servers must reach UDP " + media.publicAddress() + " ports " + media.portMin()
                            + ".." + media.portMax() + " (and the relay must reach them): ICE checks and DTLS use the "
                            + "same port as the media.");
        };
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
