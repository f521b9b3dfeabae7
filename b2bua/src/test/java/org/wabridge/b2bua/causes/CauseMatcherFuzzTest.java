package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Any failure response from Meta (status 300..699, reason phrase, Warning headers) through the cause matcher, and
 * any {@code bridge explain} arguments. Documented answers: a cause, never null, never an exception; an
 * explanation text. Seeds: {@code CauseMatcherFuzzTestInputs/}; {@code scripts/fuzz causes SECONDS}.
 */
class CauseMatcherFuzzTest {

    private static final CauseCatalog CATALOG = CauseCatalog.builtIn();

    @FuzzTest(maxDuration = "10m")
    void causeMatcher(FuzzedDataProvider data) {
        int status = data.consumeInt(300, 699);
        boolean withPhrase = data.consumeBoolean();
        String phrase = withPhrase ? data.consumeString(200) : null;
        List<String> warnings = List.of(data.consumeString(300), data.consumeRemainingAsString());
        MetaCause cause = CATALOG.matchSip(status, phrase, warnings);
        assertNotNull(cause);
        assertNotNull(cause.pbxAnswer());
        CATALOG.isFallback(cause);
        assertNotNull(Explainer.explain(CATALOG, String.valueOf(status), phrase));
        assertNotNull(Explainer.explain(CATALOG, phrase, warnings.get(0)));
    }
}
