package org.wabridge.config;

/**
 * How the Meta leg's SRTP keys are agreed: Meta's {@code srtp_key_exchange_protocol} of the number's SIP settings.
 * It decides what the bridge offers on business-initiated calls; a user-initiated call follows Meta's offer.
 */
public enum SrtpKeyExchange {
    /** ICE, then a DTLS-SRTP handshake with the bridge as DTLS client: Meta's default. */
    DTLS,
    /** Keys in the SDP ({@code a=crypto}): must be set explicitly at Meta; no ICE, no handshake. */
    SDES
}
