package org.wabridge.media.srtp;

import java.util.Optional;

/** The SDES crypto suites the Meta leg accepts (AES-128 counter mode, HMAC-SHA1). */
public enum SrtpSuite {
    AES_CM_128_HMAC_SHA1_80(10),
    AES_CM_128_HMAC_SHA1_32(4);

    public static final int MASTER_KEY_LENGTH = 16;
    public static final int MASTER_SALT_LENGTH = 14;
    public static final int KEY_AND_SALT_LENGTH = MASTER_KEY_LENGTH + MASTER_SALT_LENGTH;
    /** SRTCP always carries an 80-bit tag, also with the _32 suite (RFC 4568 section 6.2.1). */
    public static final int SRTCP_TAG_LENGTH = 10;

    private final int srtpTagLength;

    SrtpSuite(int srtpTagLength) {
        this.srtpTagLength = srtpTagLength;
    }

    public String sdpName() {
        return name();
    }

    public int srtpTagLength() {
        return srtpTagLength;
    }

    public static Optional<SrtpSuite> fromSdpName(String name) {
        for (SrtpSuite suite : values()) {
            if (suite.name().equals(name)) {
                return Optional.of(suite);
            }
        }
        return Optional.empty();
    }
}
