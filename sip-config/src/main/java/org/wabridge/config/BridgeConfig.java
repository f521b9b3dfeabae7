package org.wabridge.config;

import java.util.Map;

/**
 * The whole bridge configuration, as loaded from YAML and validated.
 *
 * @param causeOverrides {@code causes.overrides}: PBX answers replacing the cause catalog's, by cause id, as plain
 *                       YAML values ({@code {sip: 503, phrase: ..., q850: 34, q850Text: ..., retryAfter: 60}}); the
 *                       catalog (b2bua) checks ids and fields
 * @param admin          {@code admin}: the local admin HTTP API
 * @param callLog        {@code callLog}: where calls are logged, and for how long
 * @param capture        {@code capture}: per-call pcap files
 */
public record BridgeConfig(PbxSide pbx, MetaSide meta, MediaSettings media, Limits limits,
                           Map<String, Object> causeOverrides, AdminSettings admin, CallLogSettings callLog,
                           CaptureSettings capture) {

    /**
     * With exactly one business number and no {@code pbx.defaultBusinessNumber}, that number is the default: every
     * PBX call can only be for it, whatever the PBX puts in From (an extension, its own trunk number). Done here
     * rather than in the loader so that {@code pbx().defaultBusinessNumber()} is the effective default however the
     * configuration was built.
     */
    public BridgeConfig {
        if (pbx != null && pbx.defaultBusinessNumber() == null && meta != null && meta.numbers() != null
                && meta.numbers().size() == 1 && meta.numbers().get(0) != null) {
            pbx = pbx.withDefaultBusinessNumber(meta.numbers().get(0).number());
        }
    }

    /** A configuration with the default admin API, call log and captures. */
    public BridgeConfig(PbxSide pbx, MetaSide meta, MediaSettings media, Limits limits,
                        Map<String, Object> causeOverrides) {
        this(pbx, meta, media, limits, causeOverrides, AdminSettings.DEFAULTS, CallLogSettings.DEFAULTS,
                CaptureSettings.DEFAULTS);
    }
}
