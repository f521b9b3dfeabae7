package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Optional;
import org.wabridge.media.SdpException;

/**
 * Any text as a peer's SDP body or a=crypto value. Documented answers: a {@link SessionDescription} or an
 * {@link SdpException}; a {@link CryptoAttribute} or empty. Anything else thrown is a crash. Seeds:
 * {@code SdpFuzzTestInputs/}; {@code scripts/fuzz sdp|crypto SECONDS}.
 */
class SdpFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void sessionDescription(@NotNull String sdp) {
        SessionDescription parsed;
        try {
            parsed = SessionDescription.parse(sdp, "fuzz");
        } catch (SdpException e) {
            assertNotNull(e.getMessage());
            return;
        }
        for (SessionDescription.MediaDescription m : parsed.media()) {
            m.isDtlsSrtp(); // the address may be null (a disabled section needs no c= line)
        }
        try {
            SessionDescription.MediaDescription audio = parsed.audio("fuzz");
            assertNotNull(audio.address(), "the audio section handed to the relay has an address");
        } catch (SdpException e) {
            assertNotNull(e.getMessage());
        }
    }

    @FuzzTest(maxDuration = "10m")
    void cryptoAttribute(@NotNull String value) {
        Optional<CryptoAttribute> crypto = CryptoAttribute.parse(value);
        crypto.ifPresent(c -> {
            // what the relay does with a parsed key: read it, and write our own line in the same form
            assertEquals(org.wabridge.media.srtp.SrtpSuite.KEY_AND_SALT_LENGTH,
                    c.masterKey().length + c.masterSalt().length);
            assertEquals(c.format(), CryptoAttribute.parse(c.format()).orElseThrow().format(), "round trip");
        });
    }
}
