package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wabridge.media.SdpException;

/** Errors quote the offending line for the admin, but never an SDES key: the message ends in logs and the call log. */
class SessionDescriptionTest {

    private static final String KEY = "X1mQx4pP/qZB9T6vrrOGu3s6WJlWEFF8jVkjS/Ab";

    @Test
    void aMalformedCryptoLineIsQuotedWithoutItsKey() {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/SAVP 111\r\na crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "\r\n";
        SdpException e = assertThrows(SdpException.class, () -> SessionDescription.parse(sdp, "Meta"));
        assertTrue(e.getMessage().contains("inline:****"), e.getMessage());
        assertFalse(e.getMessage().contains(KEY.substring(0, 12)), e.getMessage());
    }
}
