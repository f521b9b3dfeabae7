package org.wabridge.media.dtls;

import java.util.List;
import java.util.Optional;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.wabridge.media.srtp.SrtpSuite;

/** DTLS-SRTP protection profiles (RFC 5764 section 4.1.2) that map onto the relay's SRTP suites. */
final class SrtpProfiles {

    private SrtpProfiles() {
    }

    static int profileOf(SrtpSuite suite) {
        return switch (suite) {
            case AES_CM_128_HMAC_SHA1_80 -> SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
            case AES_CM_128_HMAC_SHA1_32 -> SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32;
        };
    }

    static Optional<SrtpSuite> suiteOf(int profile) {
        for (SrtpSuite suite : SrtpSuite.values()) {
            if (profileOf(suite) == profile) {
                return Optional.of(suite);
            }
        }
        return Optional.empty();
    }

    static int[] profilesOf(List<SrtpSuite> suites) {
        return suites.stream().mapToInt(SrtpProfiles::profileOf).toArray();
    }

    /** The server's choice: our most preferred suite that the client offered. */
    static Optional<SrtpSuite> choose(List<SrtpSuite> ourPreference, int[] offered) {
        for (SrtpSuite suite : ourPreference) {
            for (int profile : offered) {
                if (profile == profileOf(suite)) {
                    return Optional.of(suite);
                }
            }
        }
        return Optional.empty();
    }

    static String describe(int[] profiles) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < profiles.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            int p = profiles[i];
            sb.append(suiteOf(p).map(Enum::name).orElse(String.format("0x%04x", p)));
        }
        return sb.append(']').toString();
    }
}
