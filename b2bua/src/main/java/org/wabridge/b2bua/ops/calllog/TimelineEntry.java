package org.wabridge.b2bua.ops.calllog;

import java.time.Instant;

/**
 * One line of a call's timeline.
 *
 * @param at       when it happened
 * @param kind     {@code sip} for a SIP message, else the {@link org.wabridge.b2bua.events.CallEvent} kind
 *                 ({@code digest-challenge}, {@code connected}, {@code media-timeout}...)
 * @param leg      {@code PBX} or {@code META} for SIP messages, null otherwise
 * @param outgoing for SIP messages, true when the bridge sent it; null otherwise
 * @param detail   the SIP first line, or the event's detail
 */
public record TimelineEntry(Instant at, String kind, String leg, Boolean outgoing, String detail) {

    public static final String SIP = "sip";
}
