package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.BridgeException;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.causes.PbxAnswer;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;

/** causes.overrides in the YAML reaches the catalog the bridge uses; a wrong id stops start-up and check. */
class CauseOverridesTest {

    static BridgeConfig config(String overrides) throws Exception {
        return ConfigLoader.parse("""
                pbx: {allowedSources: ["127.0.0.0/8"]}
                meta:
                  sipServerHostname: sip.example.test
                  numbers: [{number: "+15550100001", password: pw}]
                causes:
                  overrides:
                """ + overrides, "test.yaml", Map.of());
    }

    @Test
    void overrideReplacesTheCatalogsPbxAnswer() throws Exception {
        String id = CauseCatalog.builtIn().matchSip(486, "User declined the call", null).id();
        CauseCatalog catalog = RunCommand.Running.catalog(config("    " + id
                + ": {sip: 603, phrase: Declined, q850: 21, q850Text: CALL_REJECTED}\n"));
        PbxAnswer answer = catalog.byId(id).orElseThrow().pbxAnswer();
        assertEquals(603, answer.sipCode());
        assertEquals(21, answer.q850Cause());
        assertEquals(CauseCatalog.builtIn().byId("local.edge-timeout").orElseThrow().pbxAnswer(),
                catalog.byId("local.edge-timeout").orElseThrow().pbxAnswer(), "other causes keep the catalog's answer");
    }

    @Test
    void unknownCauseIdIsRefusedWithItsName() throws Exception {
        BridgeException e = assertThrows(BridgeException.class, () -> RunCommand.Running.catalog(
                config("    meta.999.nothing: {sip: 503, phrase: X, q850: 34, q850Text: Y}\n")));
        assertTrue(e.getMessage().contains("meta.999.nothing"), e.getMessage());
        assertTrue(e.getMessage().startsWith("causes.overrides"), e.getMessage());
    }
}
