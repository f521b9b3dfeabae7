package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CauseCatalogTest {
    private final CauseCatalog catalog = CauseCatalog.builtIn();

    private String idFor(int status, String phrase) {
        return catalog.matchSip(status, phrase, List.of()).id();
    }

    /** Every row of Meta's "SIP errors, business initiated calls" table, with Meta's own wording. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            400 | Asset not found, invalid business phone number                                                                  | meta.400.asset-not-found
            403 | SIP server foo.com from INVITE does not match any SIP server configured for phone number id 106540352242922      | meta.403.from-domain-mismatch
            403 | No Approved Call Permission Found: No approved call permission from the recipient                                | meta.403.no-permission
            403 | The app 1234567890 configured for SIP server example.com is not authorized for phone number id 106540352242922   | meta.403.app-not-authorized
            403 | Business Initiated Connected Call Per Day Limit Hit                                                              | meta.403.daily-limit
            403 | Duplicate call                                                                                                   | meta.403.duplicate-call
            403 | Invalid digest auth response                                                                                     | meta.403.invalid-digest
            403 | Business eligibility payment issue                                                                               | meta.403.payment-issue
            403 | SDP Validation Error                                                                                             | meta.403.sdp-invalid
            404 | Not found                                                                                                        | meta.404.ip-in-request-uri
            407 | Proxy Authentication Required                                                                                    | meta.407.auth-required
            408 | RTP Timeout                                                                                                      | meta.408.rtp-timeout
            480 | Temporarily Unavailable                                                                                          | meta.480.unavailable
            486 | User declined the call                                                                                           | meta.486.declined
            487 | Request Terminated                                                                                               | meta.487.terminated
            503 | Service Unavailable                                                                                              | meta.503.unavailable
            """)
    void matchesMetasExactPhrase(int status, String phrase, String expectedId) {
        assertEquals(expectedId, idFor(status, phrase));
    }

    /** The same causes worded differently, with other host names and ids inside the text. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            400 | Invalid business number +4915112345678: asset not found                                             | meta.400.asset-not-found
            400 | business phone number 4915112345678 is not registered                                               | meta.400.asset-not-found
            403 | SIP server sip.acme.io from INVITE does not match any SIP server configured for phone number id 99   | meta.403.from-domain-mismatch
            403 | sip server  PBX.EXAMPLE.ORG   from invite does not match  any SIP server                             | meta.403.from-domain-mismatch
            403 | From domain acme.io does not match the configured SIP server                                        | meta.403.from-domain-mismatch
            403 | no approved call permission                                                                         | meta.403.no-permission
            403 | Call permission not granted by the recipient                                                        | meta.403.no-permission
            403 | The app 42 configured for SIP server sip.acme.io is not authorized for phone number id 7             | meta.403.app-not-authorized
            403 | App 998877 is not authorised for phone number 5551234                                               | meta.403.app-not-authorized
            403 | Connected calls per day limit hit for +15551234567                                                  | meta.403.daily-limit
            403 | Business Initiated Calls Limit Hit                                                                  | meta.403.daily-limit
            403 | A call is already ongoing with the receiver                                                         | meta.403.duplicate-call
            403 | There is already an active call with this user                                                      | meta.403.duplicate-call
            403 | Digest authentication failed: response does not match                                               | meta.403.invalid-digest
            403 | Proxy auth uri does not match SIP 'to' uri                                                          | meta.403.invalid-digest
            403 | Payment issue: the business is not eligible                                                         | meta.403.payment-issue
            403 | SDP validation error - Provided SDP is invalid                                                      | meta.403.sdp-invalid
            403 | Invalid SDP: missing a=crypto                                                                       | meta.403.sdp-invalid
            404 | IP address 157.240.1.1 in Request-URI is not allowed                                                 | meta.404.ip-in-request-uri
            404 | Request URI must not be an IP                                                                       | meta.404.ip-in-request-uri
            408 | Media timeout                                                                                       | meta.408.rtp-timeout
            480 | User did not answer                                                                                 | meta.480.unavailable
            486 | Declined                                                                                            | meta.486.declined
            487 | Cancelled by caller                                                                                 | meta.487.terminated
            407 | Proxy Auth Required (nonce expired)                                                                 | meta.407.auth-required
            503 | Internal Server Error                                                                               | meta.503.unavailable
            """)
    void matchesRewordedPhrases(int status, String phrase, String expectedId) {
        assertEquals(expectedId, idFor(status, phrase));
    }

    /** Meta's 403 may carry only "Forbidden" in the status line and the reason in a Warning header. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            meta.403.from-domain-mismatch | SIP server sip.acme.io from INVITE does not match any SIP server configured for phone number id 99
            meta.403.no-permission        | No Approved Call Permission Found: No approved call permission from the recipient
            meta.403.app-not-authorized   | The app 5 configured for SIP server a.b.c is not authorized for phone number id 6
            meta.403.daily-limit          | Business Initiated Connected Call Per Day Limit Hit
            meta.403.duplicate-call       | Duplicate call
            meta.403.invalid-digest       | Invalid digest auth response
            meta.403.payment-issue        | Business eligibility payment issue
            meta.403.sdp-invalid          | SDP Validation Error
            """)
    void matchesWarningHeaderOnly(String expectedId, String warningText) {
        List<String> warnings = List.of("399 wa.meta.vc \"" + warningText + "\"");
        assertEquals(expectedId, catalog.matchSip(403, "Forbidden", warnings).id());
    }

    @Test
    void specificWarningWinsOverGenericStatusLine() {
        assertEquals("api.138002",
                catalog.matchSip(503, "Service Unavailable", List.of("399 wa.meta.vc \"Concurrent Calls limit\"")).id());
        assertEquals("api.138003",
                catalog.matchSip(486, "Busy Here", List.of("399 wa.meta.vc \"Duplicate call\"")).id());
    }

    @Test
    void unknownForbiddenTextFallsBackTo403Entry() {
        assertEquals("fallback.403", idFor(403, "Forbidden"));
        assertEquals("fallback.403", catalog.matchSip(403, null, null).id());
        assertEquals("fallback.403",
                catalog.matchSip(403, "Forbidden", List.of("399 wa.meta.vc \"Something new Meta added\"")).id());
        assertTrue(catalog.isFallback(catalog.byId("fallback.403").orElseThrow()));
        assertFalse(catalog.isFallback(catalog.byId("meta.403.no-permission").orElseThrow()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            302 | Moved Temporarily     | fallback.3xx
            400 | Bad Request           | fallback.4xx
            408 | Request Timeout       | fallback.4xx
            415 | Unsupported Media Type | fallback.4xx
            500 | Server Internal Error | fallback.5xx
            599 | Whatever              | fallback.5xx
            600 | Busy Everywhere       | fallback.6xx
            699 | ''                    | fallback.6xx
            """)
    void unknownStatusesUseTheirClassFallback(int status, String phrase, String expectedId) {
        MetaCause cause = catalog.matchSip(status, phrase, List.of());
        assertEquals(expectedId, cause.id());
        assertTrue(catalog.isFallback(cause));
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 180, 200, 299, 700, -1})
    void nonFailureStatusIsRejected(int status) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> catalog.matchSip(status, "x", List.of()));
        assertTrue(e.getMessage().contains(String.valueOf(status)), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 613, 131009, 131030, 131044, 131055, 138000, 138001, 138002, 138003, 138004, 138005,
            138006, 138007, 138009, 138012, 138013, 138014, 138015, 138017, 138018, 138019, 138020, 138021,
            138022, 138023})
    void everyCallingApiCodeOfTheGuideIsResolvable(int code) {
        MetaCause cause = catalog.byApiCode(code).orElseThrow(() -> new AssertionError("no entry for " + code));
        assertEquals(code, cause.apiCode());
        assertEquals("api", cause.kind());
        assertFalse(cause.solutions().isEmpty());
    }

    /** Meta sometimes reuses Calling API wording in SIP responses; each title must find its own entry. */
    @ParameterizedTest
    @ValueSource(ints = {613, 131009, 131030, 131044, 131055, 138000, 138001, 138002, 138003, 138004, 138005,
            138006, 138007, 138009, 138012, 138013, 138014, 138015, 138017, 138018, 138019, 138020, 138021,
            138022, 138023})
    void apiWordingInASipResponseFindsItsEntry(int code) {
        MetaCause cause = catalog.byApiCode(code).orElseThrow();
        // 599 has no SIP entry of its own, so only the Calling API patterns can match.
        assertEquals(cause.id(), catalog.matchSip(599, "Server Error",
                List.of("399 wa.meta.vc \"" + cause.title() + "\"")).id());
    }

    @Test
    void aBareInvalidParameterIsNotTakenForAnSdpError() {
        assertEquals("fallback.4xx", idFor(400, "Invalid parameter"));
    }

    @Test
    void unknownApiCodeAndIdAreEmpty() {
        assertTrue(catalog.byApiCode(138099).isEmpty());
        assertTrue(catalog.byId("meta.403.nothing").isEmpty());
    }

    @Test
    void localCausesTheB2buaCallsByIdExist() {
        for (String id : List.of("local.edge-unreachable", "local.edge-timeout", "local.tls-verify-failed",
                "local.concurrent-limit", "local.daily-limit", "local.unknown-business-number",
                "local.source-not-allowed", "local.sdp-unusable", "local.media-timeout-meta",
                "local.media-timeout-pbx", "local.pbx-no-answer", "local.internal-error", "local.ice-failed",
                "local.ice-consent-lost", "local.dtls-timeout", "local.dtls-fingerprint-mismatch", "local.dtls-failed",
                "local.dtls-no-fingerprint")) {
            MetaCause cause = catalog.byId(id).orElseThrow(() -> new AssertionError("missing " + id));
            assertEquals("local", cause.kind(), id);
        }
        assertEquals(488, catalog.byId("local.sdp-unusable").orElseThrow().pbxAnswer().sipCode());
    }

    /** Meta's FAQ gives "No fingerprint found in SDP" without a status: its text wins on any status. */
    @ParameterizedTest(name = "{0} {1} / {2}")
    @CsvSource(delimiter = '|', textBlock = """
            400 | Bad Request          | No fingerprint found in SDP     | meta.sdp.no-fingerprint
            488 | Not Acceptable Here  | No fingerprint found in SDP     | meta.sdp.no-fingerprint
            403 | SDP Validation Error | No fingerprint found in SDP     | meta.sdp.no-fingerprint
            403 | Forbidden            | No fingerprint found in SDP     | meta.sdp.no-fingerprint
            599 | Server Error         | DTLS fingerprint missing        | meta.sdp.no-fingerprint
            403 | SDP Validation Error | Provided SDP is invalid         | meta.403.sdp-invalid
            488 | Not Acceptable Here  | ''                              | meta.488.not-acceptable
            488 | Not Acceptable Here  | Incompatible SDP                | meta.488.not-acceptable
            """)
    void noFingerprintIsFoundOnAnyStatus(int status, String phrase, String warning, String expectedId) {
        List<String> warnings = warning.isEmpty() ? List.of() : List.of("399 wa.meta.vc \"" + warning + "\"");
        assertEquals(expectedId, catalog.matchSip(status, phrase, warnings).id());
    }

    @Test
    void metaLegCausesNameTheKeyingSettingAndTheSdesFallback() {
        for (String id : List.of("local.ice-failed", "local.ice-consent-lost", "local.dtls-timeout",
                "local.dtls-fingerprint-mismatch", "local.dtls-failed", "local.dtls-no-fingerprint",
                "meta.sdp.no-fingerprint", "meta.488.not-acceptable")) {
            MetaCause cause = catalog.byId(id).orElseThrow(() -> new AssertionError("missing " + id));
            String fixes = String.join("\n", cause.solutions());
            assertTrue(fixes.contains("meta.numbers[].srtpKeyExchange"), id + ": " + fixes);
            assertTrue(fixes.contains("srtp_key_exchange_protocol"), id + ": " + fixes);
        }
        String ice = String.join("\n", catalog.byId("local.ice-failed").orElseThrow().solutions());
        assertTrue(ice.contains("media.publicAddress") && ice.contains("media.portMin..media.portMax")
                && ice.contains("UDP"), ice);
        // ICE and consent: a broken path; DTLS: the sides did not agree; no fingerprint: unusable SDP
        assertPbx("local.ice-failed", 503, 38);
        assertPbx("local.ice-consent-lost", 503, 38);
        assertPbx("local.dtls-timeout", 502, 127);
        assertPbx("local.dtls-fingerprint-mismatch", 502, 127);
        assertPbx("local.dtls-failed", 502, 127);
        assertPbx("local.dtls-no-fingerprint", 488, 88);
        assertPbx("meta.sdp.no-fingerprint", 488, 88);
        assertPbx("meta.488.not-acceptable", 488, 88);
        assertTrue(catalog.byId("local.ice-consent-lost").orElseThrow().retryable());
        assertFalse(catalog.byId("local.ice-failed").orElseThrow().retryable());
        assertFalse(catalog.byId("local.dtls-no-fingerprint").orElseThrow().retryable());
        // Meta's FAQ hint for a 488 from the business's server: on the causes for which the bridge answers Meta 488
        assertTrue(String.join(" ", catalog.byId("local.sdp-unusable").orElseThrow().solutions())
                .contains("488 Not Acceptable Here"));
    }

    @Test
    void limitsPointAtMetasCodesAndNumbers() {
        assertTrue(catalog.byId("local.concurrent-limit").orElseThrow().description().contains("138002"));
        assertTrue(catalog.byId("local.daily-limit").orElseThrow().description().contains("138012"));
        String daily = catalog.byId("meta.403.daily-limit").orElseThrow().description();
        assertTrue(daily.contains("Currently 5 connected") && daily.contains("100"), daily);
        // the two no-media disconnects and Meta's "No fingerprint found in SDP"
        assertEquals(3, catalog.all().stream().filter(c -> c.kind().equals("media")).count());
    }

    @Test
    void pbxAnswersFollowTheMappingRules() {
        assertPbx("meta.486.declined", 486, 21);
        assertPbx("meta.480.unavailable", 480, 19);
        assertPbx("meta.503.unavailable", 503, 41);
        assertPbx("api.138002", 503, 34);
        // Configuration errors on the bridge's side must not look like a busy or declining user.
        for (String id : List.of("meta.403.from-domain-mismatch", "meta.403.app-not-authorized",
                "meta.403.invalid-digest", "meta.404.ip-in-request-uri")) {
            PbxAnswer answer = catalog.byId(id).orElseThrow().pbxAnswer();
            assertEquals(502, answer.sipCode(), id);
            assertEquals(38, answer.q850Cause(), id);
            assertFalse(catalog.byId(id).orElseThrow().retryable(), id);
        }
        assertNotNull(catalog.byId("meta.503.unavailable").orElseThrow().pbxAnswer().retryAfterSeconds());
    }

    private void assertPbx(String id, int sip, int q850) {
        PbxAnswer answer = catalog.byId(id).orElseThrow().pbxAnswer();
        assertEquals(sip, answer.sipCode(), id);
        assertEquals(q850, answer.q850Cause(), id);
    }

    @Test
    void idsAreUniqueAndAllIsStable() {
        Set<String> ids = new HashSet<>();
        for (MetaCause cause : catalog.all()) {
            assertTrue(ids.add(cause.id()), "duplicate " + cause.id());
        }
        assertEquals(catalog.all(), CauseCatalog.builtIn().all());
    }
}
