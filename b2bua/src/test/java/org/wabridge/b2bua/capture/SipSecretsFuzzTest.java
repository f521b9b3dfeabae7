package org.wabridge.b2bua.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.nio.charset.StandardCharsets;

/**
 * Any SIP message or log line through the masking of captures and logs: never throws, and a capture keeps every
 * length (Content-Length and the pcap's framing stay right). Seeds: {@code SipSecretsFuzzTestInputs/};
 * {@code scripts/fuzz secrets SECONDS}.
 */
class SipSecretsFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void masking(byte @NotNull [] message) {
        byte[] masked = SipSecrets.maskKeepingLength(message);
        assertEquals(message.length, masked.length, "a capture keeps the message's length");
        String text = new String(message, StandardCharsets.UTF_8);
        assertEquals(text.length(), SipSecrets.maskKeepingLength(text).length());
        assertNotNull(SipSecrets.maskForLog(text));
    }
}
