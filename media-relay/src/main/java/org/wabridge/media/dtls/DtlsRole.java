package org.wabridge.media.dtls;

import java.util.Locale;
import java.util.Optional;

/**
 * Our side of the DTLS handshake, and how it follows from the SDP {@code a=setup} attributes
 * (RFC 4145, RFC 5763 section 5). Meta wants the business to be the DTLS client: to Meta's
 * {@code actpass} we answer {@code active} and send the ClientHello.
 */
public enum DtlsRole {
    /** We send the ClientHello: {@code a=setup:active}. Our default toward Meta. */
    CLIENT,
    /** We wait for the ClientHello: {@code a=setup:passive}. For peers that answer {@code active}. */
    SERVER;

    /**
     * Our role given the peer's {@code a=setup} value: {@code actpass} (an offer leaving the choice
     * to us) and {@code passive} make us the client, {@code active} makes us the server. Empty for
     * {@code holdconn} or anything unknown (no DTLS connection can be set up).
     */
    public static Optional<DtlsRole> fromRemoteSetup(String remoteSetup) {
        return switch (remoteSetup.trim().toLowerCase(Locale.ROOT)) {
            case "actpass", "passive" -> Optional.of(CLIENT);
            case "active" -> Optional.of(SERVER);
            default -> Optional.empty();
        };
    }

    /** The {@code a=setup} value we put in an answer for this role. */
    public String setupAttributeInAnswer() {
        return this == CLIENT ? "active" : "passive";
    }
}
