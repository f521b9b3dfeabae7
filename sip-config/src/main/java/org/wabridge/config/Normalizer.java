package org.wabridge.config;

import java.util.List;
import java.util.regex.Pattern;

/** Turns the user part a PBX dials into the E.164 form Meta expects. Pure functions. */
public final class Normalizer {

    /** '+', a first digit that is not 0, then up to 14 more: 8..15 digits in all (ITU-T E.164). */
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{7,14}");
    private static final Pattern VISUAL_SEPARATORS = Pattern.compile("[ \\-.()]");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private Normalizer() {}

    /**
     * Normalises a dialled user part. Visual separators (space, '-', '.', '(', ')') are removed,
     * then the first rule whose prefix matches is applied, then '+' is put in front of an
     * all-digit result. A user containing a letter is a BSUID (an opaque business-scoped user id)
     * and is returned unchanged, as is null.
     */
    public static String toE164(String user, List<NumberRule> rules) {
        if (user == null || isBsuid(user)) {
            return user;
        }
        String result = VISUAL_SEPARATORS.matcher(user.trim()).replaceAll("");
        for (NumberRule rule : rules) {
            if (!rule.prefix().isEmpty() && result.startsWith(rule.prefix())) {
                result = rule.replacement() + result.substring(rule.prefix().length());
                break;
            }
        }
        if (DIGITS.matcher(result).matches()) {
            result = "+" + result;
        }
        return result;
    }

    /** True for a normalised E.164 number: '+' then 8..15 digits, the first not 0. */
    public static boolean isE164(String number) {
        return number != null && E164.matcher(number).matches();
    }

    /** BSUIDs are opaque alphanumerics; phone numbers never contain letters. */
    public static boolean isBsuid(String user) {
        for (int i = 0; i < user.length(); i++) {
            if (Character.isLetter(user.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
