package org.wabridge.b2bua.events;

/** Who placed the call, in Meta's terms (Call Logs: Outbound / Inbound). */
public enum Direction {
    /** The PBX called a WhatsApp user. */
    BUSINESS_INITIATED,
    /** A WhatsApp user called the business. */
    USER_INITIATED
}
