package org.wabridge.config;

/**
 * A dial-prefix rewrite for numbers the PBX sends: a user part starting with {@code prefix}
 * has that prefix replaced by {@code replacement} (e.g. "00" -> "+", "0" -> "+44").
 */
public record NumberRule(String prefix, String replacement) {}
