package org.wabridge.b2bua.events;

import java.time.Instant;

/**
 * @param callId         our id of the call: the Call-ID of the leg that started it
 * @param direction      who called
 * @param businessNumber E.164 business number
 * @param waUser         WhatsApp user: E.164 number or BSUID
 * @param at             when the first INVITE arrived
 */
public record CallStart(String callId, Direction direction, String businessNumber, String waUser, Instant at) {}
