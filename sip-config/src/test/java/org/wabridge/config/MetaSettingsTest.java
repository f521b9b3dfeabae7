package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                  numbers: [{number: "+15550100001", password: pw}]
                media: {g711EnabledAtMeta: %s}
                """.formatted(g711), "t.yaml", Map.of());
    }

    @Test
    void settingsNameOurHostAndPublicPortWithSdes() throws Exception {
        String json = MetaSettings.json(config(false));
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
    }

    @Test
    void g711AddsTheAdditionalCodecs() throws Exception {
        assertTrue(MetaSettings.json(config(true)).contains("\"audio\": {\"additional_codecs\": [\"PCMA\", \"PCMU\"]}"));
    }
}
