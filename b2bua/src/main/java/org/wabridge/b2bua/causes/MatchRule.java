package org.wabridge.b2bua.causes;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How a catalog entry is found from a SIP failure.
 *
 * @param causeId       the entry's id
 * @param sipStatus     the status the patterns apply to; null = patterns apply to any failure status
 * @param patterns      searched in the reason phrase and Warning texts
 * @param statusDefault the entry explains {@code sipStatus} when nothing matched by text
 * @param fallbackClass 3..6: the entry explains any status of that class as a last resort; else null
 */
record MatchRule(String causeId, Integer sipStatus, List<Pattern> patterns, boolean statusDefault, Integer fallbackClass) {

    MatchRule {
        patterns = List.copyOf(patterns);
    }

    boolean matchesText(String normalizedText) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(normalizedText).find()) {
                return true;
            }
        }
        return false;
    }
}
