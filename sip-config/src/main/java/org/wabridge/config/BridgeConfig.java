package org.wabridge.config;

/** The whole bridge configuration, as loaded from YAML and validated. */
public record BridgeConfig(PbxSide pbx, MetaSide meta, MediaSettings media, Limits limits) {}
