package org.wabridge.config;

/** The whole bridge configuration, as loaded from YAML and validated. */
public record BridgeConfig(PbxSide pbx, MetaSide meta, MediaSettings media, Limits limits,
                           AdminSettings admin, CallLogSettings callLog) {

    /** A configuration with the default admin API and call log. */
    public BridgeConfig(PbxSide pbx, MetaSide meta, MediaSettings media, Limits limits) {
        this(pbx, meta, media, limits, AdminSettings.DEFAULTS, CallLogSettings.DEFAULTS);
    }
}
