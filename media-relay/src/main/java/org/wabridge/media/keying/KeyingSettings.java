package org.wabridge.media.keying;

import org.wabridge.media.dtls.DtlsSettings;
import org.wabridge.media.ice.IceTiming;

/**
 * The clocks of DTLS mode: ICE toward Meta, then the DTLS handshake. Both are bounded, so a Meta leg that cannot be
 * keyed ends the call within {@code ice.completionTimeout + dtls.handshakeTimeout} of its start (20 s by default,
 * Meta's own limit for a call without media).
 */
public record KeyingSettings(IceTiming ice, DtlsSettings dtls) {

    public static final KeyingSettings DEFAULT = new KeyingSettings(IceTiming.DEFAULT, DtlsSettings.defaults());
}
