package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.causes.CauseCatalog;

class CallFailuresTest {

    private final CallFailures failures = new CallFailures(CauseCatalog.builtIn());

    @Test
    void onlyMetasWrongCredentialsAnswersRefuseCredentials() {
        assertTrue(failures.refusesCredentials(403, "Invalid digest auth response", List.of()));
        assertTrue(failures.refusesCredentials(403, "Forbidden",
                List.of("399 wa.meta.vc \"Invalid digest auth response\"")), "Meta's text may be in a Warning");
        assertTrue(failures.refusesCredentials(403, "Proxy auth uri does not match SIP to uri", List.of()));
        // 403s about the call itself: the same INVITE without credentials would get the same answer
        assertFalse(failures.refusesCredentials(403, "No Approved Call Permission Found", List.of()));
        assertFalse(failures.refusesCredentials(403, "Business Initiated Connected Call Per Day Limit Hit", List.of()));
        assertFalse(failures.refusesCredentials(403, "Duplicate call", List.of()));
        assertFalse(failures.refusesCredentials(403, "Forbidden", List.of()));
        assertFalse(failures.refusesCredentials(486, "Busy Here", List.of()));
    }
}
