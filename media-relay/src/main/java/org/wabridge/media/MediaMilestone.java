package org.wabridge.media;

/** Steps of the Meta leg's set-up, for the call's timeline; each is reported once per call. */
public enum MediaMilestone {
    /** DTLS mode: the nominated candidate pair with Meta succeeded. */
    ICE_COMPLETED,
    /** DTLS mode: the handshake produced the SRTP keys. */
    DTLS_CONNECTED,
    /** The first SRTP packet left toward Meta. */
    FIRST_SRTP_SENT,
    /** The first authenticated SRTP or SRTCP packet arrived from Meta. */
    FIRST_SRTP_RECEIVED
}
