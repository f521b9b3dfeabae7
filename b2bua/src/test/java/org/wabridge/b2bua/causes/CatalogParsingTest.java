package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation of catalog files and of PBX answer overrides from the bridge configuration. */
class CatalogParsingTest {

    private static final String FALLBACKS = """
              - {id: fallback.3xx, kind: sip, fallbackClass: 3, title: t, description: d, solutions: [s], retry: false,
                 pbx: {sip: 502, phrase: p, q850: 127, q850Text: INTERWORKING}}
              - {id: fallback.4xx, kind: sip, fallbackClass: 4, title: t, description: d, solutions: [s], retry: false,
                 pbx: {sip: 502, phrase: p, q850: 127, q850Text: INTERWORKING}}
              - {id: fallback.5xx, kind: sip, fallbackClass: 5, title: t, description: d, solutions: [s], retry: true,
                 pbx: {sip: 502, phrase: p, q850: 41, q850Text: NORMAL_TEMPORARY_FAILURE}}
              - {id: fallback.6xx, kind: sip, fallbackClass: 6, title: t, description: d, solutions: [s], retry: false,
                 pbx: {sip: 603, phrase: p, q850: 21, q850Text: CALL_REJECTED}}
            """;

    private static String catalogWith(String entry) {
        return "causes:\n" + entry + FALLBACKS;
    }

    private static String errorOf(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> CauseCatalog.parse(yaml, "test.yaml")).getMessage();
    }

    @Test
    void minimalCatalogParsesAndMatches() {
        CauseCatalog catalog = CauseCatalog.parse(catalogWith("""
              - {id: x.403.a, kind: sip, sip: 403, title: A, description: d, solutions: [fix it], retry: false,
                 match: ['alpha \\d+'], pbx: {sip: 403, phrase: p, q850: 21, q850Text: CALL_REJECTED}}
            """), "test.yaml");
        assertEquals("x.403.a", catalog.matchSip(403, "ALPHA 12", List.of()).id());
        assertEquals("fallback.4xx", catalog.matchSip(403, "alpha", List.of()).id());
    }

    @Test
    void brokenYamlIsReported() {
        assertTrue(errorOf("causes: [ {id: ").contains("test.yaml is not valid YAML"));
    }

    @Test
    void missingFallbackIsReported() {
        String message = errorOf("""
            causes:
              - {id: fallback.3xx, kind: sip, fallbackClass: 3, title: t, description: d, solutions: [s], retry: false,
                 pbx: {sip: 502, phrase: p, q850: 127, q850Text: INTERWORKING}}
            """);
        assertTrue(message.contains("fallbackClass 4"), message);
    }

    @Test
    void errorsNameTheEntryAndField() {
        String entry = """
              - {id: x.403.a, kind: sip, sip: 403, title: A, description: d, solutions: [fix], retry: false,
                 match: ['%s'], pbx: {sip: %d, phrase: p, q850: %d, q850Text: T}%s}
            """;
        String badRegex = errorOf(catalogWith(entry.formatted("(unclosed", 403, 21, "")));
        assertTrue(badRegex.contains("'x.403.a'") && badRegex.contains("(unclosed"), badRegex);

        String badQ850 = errorOf(catalogWith(entry.formatted("a", 403, 200, "")));
        assertTrue(badQ850.contains("'x.403.a'") && badQ850.contains("pbx") && badQ850.contains("1..127"), badQ850);

        String successCode = errorOf(catalogWith(entry.formatted("a", 200, 21, "")));
        assertTrue(successCode.contains("300 to 699"), successCode);

        String typo = errorOf(catalogWith(entry.formatted("a", 403, 21, ", retryafter: 5")));
        assertTrue(typo.contains("retryafter"), typo);

        String duplicate = errorOf(catalogWith(entry.formatted("a", 403, 21, "") + entry.formatted("b", 403, 21, "")));
        assertTrue(duplicate.contains("used twice"), duplicate);
    }

    @Test
    void localCausesCannotCarryMatchPatterns() {
        String message = errorOf(catalogWith("""
              - {id: local.x, kind: local, title: A, description: d, solutions: [fix], retry: false, match: [a],
                 pbx: {sip: 500, phrase: p, q850: 41, q850Text: T}}
            """));
        assertTrue(message.contains("looked up by id"), message);
    }

    @Test
    void overridesReplaceTheAnswerOfOneCause() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("sip", 503);
        answer.put("phrase", "Try tomorrow");
        answer.put("q850", 34);
        answer.put("q850Text", "NORMAL_CIRCUIT_CONGESTION");
        answer.put("retryAfter", 3600);
        Map<String, PbxAnswer> overrides = CauseCatalog.parseOverrides(Map.of("meta.403.daily-limit", answer));
        PbxAnswer expected = new PbxAnswer(503, "Try tomorrow", 34, "NORMAL_CIRCUIT_CONGESTION", 3600);
        assertEquals(Map.of("meta.403.daily-limit", expected), overrides);

        CauseCatalog builtIn = CauseCatalog.builtIn();
        CauseCatalog changed = builtIn.withOverrides(overrides);
        MetaCause matched = changed.matchSip(403, "Business Initiated Connected Call Per Day Limit Hit", List.of());
        assertEquals(expected, matched.pbxAnswer());
        assertEquals(builtIn.all().size(), changed.all().size());
        // The built-in catalog is shared and must not change.
        assertEquals(480, builtIn.byId("meta.403.daily-limit").orElseThrow().pbxAnswer().sipCode());
        // Other causes keep their answers.
        assertEquals(builtIn.byId("meta.486.declined"), changed.byId("meta.486.declined"));
    }

    @Test
    void overrideForUnknownIdNamesIt() {
        PbxAnswer answer = new PbxAnswer(503, "x", 34, "NORMAL_CIRCUIT_CONGESTION", null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CauseCatalog.builtIn().withOverrides(Map.of("meta.403.no-such-thing", answer)));
        assertTrue(e.getMessage().contains("'meta.403.no-such-thing'"), e.getMessage());
    }

    @Test
    void badOverrideNamesIdAndField() {
        Map<String, Object> missingQ850 = Map.of("sip", 503, "phrase", "x", "q850Text", "T");
        String message = assertThrows(IllegalArgumentException.class,
                () -> CauseCatalog.parseOverrides(Map.of("meta.503.unavailable", missingQ850))).getMessage();
        assertTrue(message.contains("meta.503.unavailable") && message.contains("'q850' is missing"), message);

        String notAMap = assertThrows(IllegalArgumentException.class,
                () -> CauseCatalog.parseOverrides(Map.of("meta.503.unavailable", 503))).getMessage();
        assertTrue(notAMap.contains("meta.503.unavailable") && notAMap.contains("mapping"), notAMap);

        Map<String, Object> textCode = Map.of("sip", "503", "phrase", "x", "q850", 34, "q850Text", "T");
        String wrongType = assertThrows(IllegalArgumentException.class,
                () -> CauseCatalog.parseOverrides(Map.of("meta.503.unavailable", textCode))).getMessage();
        assertTrue(wrongType.contains("'sip' must be a whole number"), wrongType);
    }
}
