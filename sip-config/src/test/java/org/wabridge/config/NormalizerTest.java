package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class NormalizerTest {

    private static final List<NumberRule> UK_RULES = List.of(new NumberRule("00", "+"), new NumberRule("0", "+44"));

    @Test
    void firstMatchingRuleWins() {
        assertEquals("+4915123456789", Normalizer.toE164("004915123456789", UK_RULES), "'00' is tried before '0'");
        assertEquals("+442079460000", Normalizer.toE164("02079460000", UK_RULES));
        assertEquals("+15550100001", Normalizer.toE164("+15550100001", UK_RULES), "already E.164: no rule matches");
    }

    @Test
    void rulesOrderMatters() {
        List<NumberRule> reversed = List.of(new NumberRule("0", "+44"), new NumberRule("00", "+"));
        assertEquals("+4404915123456789", Normalizer.toE164("004915123456789", reversed));
    }

    @Test
    void visualSeparatorsAreRemovedBeforeRulesApply() {
        assertEquals("+442079460000", Normalizer.toE164("(020) 7946-0000", UK_RULES));
        assertEquals("+15550100001", Normalizer.toE164("+1 555.010.0001", List.of()));
        assertEquals("+4915123456789", Normalizer.toE164("00 49 151 2345 6789", UK_RULES));
    }

    @Test
    void allDigitResultGetsAPlus() {
        assertEquals("+15550100001", Normalizer.toE164("15550100001", List.of()));
        assertEquals("+15550100001", Normalizer.toE164("1-555-010-0001", List.of()));
    }

    @Test
    void nonDigitDialStringsAreOnlyStripped() {
        assertEquals("*97", Normalizer.toE164("*97", UK_RULES));
    }

    @Test
    void bsuidIsReturnedUnchanged() {
        String bsuid = "US.13491208655302741918";
        assertEquals(bsuid, Normalizer.toE164(bsuid, UK_RULES));
        String longBsuid = "A1b2-" + "x".repeat(250);
        assertEquals(longBsuid, Normalizer.toE164(longBsuid, UK_RULES));
        assertTrue(Normalizer.isBsuid(bsuid));
        assertFalse(Normalizer.isBsuid("+15550100001"));
        assertNull(Normalizer.toE164(null, UK_RULES));
    }

    @Test
    void e164BoundsAreEightToFifteenDigits() {
        assertFalse(Normalizer.isE164("+1234567"), "7 digits");
        assertTrue(Normalizer.isE164("+12345678"), "8 digits");
        assertTrue(Normalizer.isE164("+123456789012345"), "15 digits");
        assertFalse(Normalizer.isE164("+1234567890123456"), "16 digits");
    }

    @Test
    void e164NeedsPlusAndNoLeadingZeroOrSeparators() {
        assertFalse(Normalizer.isE164("15550100001"));
        assertFalse(Normalizer.isE164("+05550100001"));
        assertFalse(Normalizer.isE164("+1 5550100001"));
        assertFalse(Normalizer.isE164("+1555010000a"));
        assertFalse(Normalizer.isE164(""));
        assertFalse(Normalizer.isE164(null));
    }
}
