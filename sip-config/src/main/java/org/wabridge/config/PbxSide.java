package org.wabridge.config;

import java.util.List;

/**
 * The PBX-facing side.
 *
 * @param listen                where the PBX sends its INVITEs (UDP and/or TCP)
 * @param allowedSources        networks the PBX may send from; anything else gets 403
 * @param target                SIP URI for calls toward the PBX (user-initiated calls); may be null
 * @param numberRules           prefix rewrites applied to the Request-URI user before E.164 checks
 * @param defaultBusinessNumber business number used when the PBX's From user is not a configured number; may be null.
 *                              A {@link BridgeConfig} fills it in with the only number of {@code meta.numbers} when
 *                              it is not configured: read from a BridgeConfig, this is the effective default
 * @param noResponseTimeout     user-initiated calls: the PBX must answer our INVITE at all (100 Trying) within this
 * @param answerTimeout         user-initiated calls: the PBX must answer (200) within this, else Meta gets 480
 */
public record PbxSide(
        List<ListenPoint> listen,
        List<Cidr> allowedSources,
        String target,
        List<NumberRule> numberRules,
        String defaultBusinessNumber,
        java.time.Duration noResponseTimeout,
        java.time.Duration answerTimeout) {

    /** The same side with another default business number. */
    public PbxSide withDefaultBusinessNumber(String number) {
        return new PbxSide(listen, allowedSources, target, numberRules, number, noResponseTimeout, answerTimeout);
    }
}
