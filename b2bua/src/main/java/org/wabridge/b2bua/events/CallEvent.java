package org.wabridge.b2bua.events;

import java.time.Instant;

/**
 * @param callId the call's id
 * @param at     when it happened
 * @param kind   short machine-readable kind: "digest-challenge", "media-start", "media-timeout", "connected",
 *               "cancelled", "meta-call-id"
 * @param detail human-readable detail (never a secret)
 */
public record CallEvent(String callId, Instant at, String kind, String detail) {}
