package org.wabridge.config;

/**
 * Local limits that save the business from Meta's.
 *
 * @param maxCallsPerNumber      concurrent calls per business number (Meta's limit is 1000)
 * @param dailyCallsPerUserPair  connected business-initiated calls per business/user pair in 24 h; 0 = not enforced
 */
public record Limits(int maxCallsPerNumber, int dailyCallsPerUserPair) {}
