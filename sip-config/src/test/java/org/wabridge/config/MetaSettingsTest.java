package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetaSettingsTest {

    static BridgeConfig config(boolean g711) throws ConfigException {
        return ConfigLoader.parse("""
                pbx: {allowedSources: ["10.0.0.0/8"]}
                meta:
                  sipServerHostname: sip.example.com
                  listen: {transport: tls, host: 0.0.0.0, port: 5061}
                  publicPort: 5081
                  numbers:
                    - {number: "+15550100001", password: pw}
                    - {number: "+15550100002", password: pw, srtpKeyExchange: sdes}
                media: {g711EnabledAtMeta: %s, publicAddress: 203.0.113.10, portMin: 40000, portMax: 40999}
                """.formatted(g711), "t.yaml", Map.of());
    }

    static BusinessNumber dtls(BridgeConfig cfg) {
        return cfg.meta().numbers().get(0);
    }

    static BusinessNumber sdes(BridgeConfig cfg) {
        return cfg.meta().numbers().get(1);
    }

    @Test
    void settingsNameOurHostAndPublicPortWithTheNumbersKeying() throws Exception {
        BridgeConfig cfg = config(false);
        String json = MetaSettings.json(cfg, sdes(cfg));
        assertEquals("""
                {
                  "calling": {
                    "status": "ENABLED",
                    "sip": {
                      "status": "ENABLED",
                      "servers": [{"hostname": "sip.example.com", "port": 5081}]
                    },
                    "srtp_key_exchange_protocol": "SDES"
                  }
                }""", json);
        assertFalse(json.contains("additional_codecs"), "Opus only unless G.711 is enabled");
        // Meta's default, written anyway so that the GET after the POST shows it.
        assertEquals(json.replace("\"SDES\"", "\"DTLS\""), MetaSettings.json(cfg, dtls(cfg)));
    }

    @Test
    void g711AddsTheAdditionalCodecs() throws Exception {
        BridgeConfig cfg = config(true);
        assertTrue(MetaSettings.json(cfg, dtls(cfg)).contains(
                "\"srtp_key_exchange_protocol\": \"DTLS\",\n    \"audio\": {\"additional_codecs\": [\"PCMA\", \"PCMU\"]}"));
    }

    @Test
    void sdesNotesSayToSetItExplicitlyAndCheckItAfterEveryPost() throws Exception {
        BridgeConfig cfg = config(false);
        String notes = String.join("\n", MetaSettings.notes(cfg, sdes(cfg)));
        assertTrue(notes.contains("SDES must be set explicitly: Meta's default is DTLS"), notes);
        assertTrue(notes.contains("GET /<PHONE_NUMBER_ID>/settings after every POST"), notes);
        assertTrue(notes.contains("resets it to DTLS"), notes);
        assertFalse(notes.contains("40000"), "SDES needs no ICE: " + notes);
    }

    @Test
    void dtlsNotesNameTheAddressAndPortsMetaMustReach() throws Exception {
        BridgeConfig cfg = config(false);
        List<String> notes = MetaSettings.notes(cfg, dtls(cfg));
        String text = String.join("\n", notes);
        assertTrue(text.contains("DTLS is Meta's default"), text);
        assertTrue(text.contains("UDP 203.0.113.10 ports 40000..40999"), text);
        assertTrue(text.contains("ICE checks and DTLS use the same port as the media"), text);
        assertFalse(text.contains("SDES"), text);
    }
}
