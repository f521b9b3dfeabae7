package org.wabridge.config;

import java.time.Duration;

/**
 * Media relay settings.
 *
 * @param mode               RELAY (anchored media, SRTP toward Meta) or PASSTHROUGH (lab only: SDP copied, no relay)
 * @param bindAddress        local address the relay's sockets bind to
 * @param publicAddress      address advertised in SDP to Meta and to the PBX; default bindAddress
 * @param portMin            first UDP port of the relay range (inclusive, even)
 * @param portMax            last UDP port of the relay range (inclusive)
 * @param g711EnabledAtMeta  true when {@code audio.additional_codecs} enables PCMU/PCMA at Meta
 * @param pbxSilenceFill     PBX silence after which the relay generates silence toward Meta
 * @param prebuffer          how much PBX media is held while the Meta leg is not ready
 * @param rtcpInterval       SRTCP report interval toward Meta
 * @param metaSilenceTimeout Meta leg silent this long ends the call
 * @param pbxSilenceTimeout  PBX leg silent this long ends the call
 * @param holdTimeout        PBX leg on hold / sendonly / inactive this long ends the call
 */
public record MediaSettings(
        MediaMode mode,
        String bindAddress,
        String publicAddress,
        int portMin,
        int portMax,
        boolean g711EnabledAtMeta,
        Duration pbxSilenceFill,
        Duration prebuffer,
        Duration rtcpInterval,
        Duration metaSilenceTimeout,
        Duration pbxSilenceTimeout,
        Duration holdTimeout) {

    public enum MediaMode { RELAY, PASSTHROUGH }
}
