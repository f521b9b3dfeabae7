package org.wabridge.b2bua.events;

import java.time.Instant;

/**
 * @param callId    the call's id (see {@link CallStart#callId()})
 * @param at        when it was sent or received
 * @param leg       "PBX" or "META"
 * @param outgoing  true when the bridge sent it
 * @param method    the request method, or the CSeq method of a response
 * @param status    the response code, 0 for requests
 * @param firstLine request line or status line, e.g. "407 Proxy Authentication Required (INVITE)"
 */
public record SipMessageEvent(String callId, Instant at, String leg, boolean outgoing, String method, int status,
                              String firstLine) {}
