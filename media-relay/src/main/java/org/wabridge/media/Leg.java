package org.wabridge.media;

/** The two legs of a relayed call. */
public enum Leg { PBX, META }
