package org.wabridge.media.sdp;

/**
 * Meta's SDPs from whatsapp-sip-facts.md (sections 2.2, 3.2, 4.3). Meta's documentation masks the
 * a=crypto value; the tests put a well-formed key of the documented suite in its place.
 */
final class MetaSdps {

    static final String KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    private MetaSdps() {
    }

    /** Section 2.2: Meta's 200 OK answer to a business-initiated SDES offer. */
    static String answer22(String cryptoLine) {
        return String.join("\r\n",
                "v=0",
                "o=- 1746657286595 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE audio",
                "a=msid-semantic: WMS 42da9643-0b5c-4c0a-9f0b-3a1d2e4f5a6b",
                "m=audio 3480 RTP/SAVP 107 101",
                "c=IN IP4 157.240.19.130",
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=mid:audio",
                "a=sendrecv",
                "a=msid:42da9643-0b5c-4c0a-9f0b-3a1d2e4f5a6b WhatsAppTrack1",
                "a=rtcp-mux",
                cryptoLine,
                "a=rtpmap:107 opus/48000/2",
                "a=fmtp:107 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1",
                "a=rtpmap:101 telephone-event/8000",
                "a=maxptime:20",
                "a=ptime:20",
                "a=ssrc:1238967757 cname:WhatsAppAudioStream1",
                "");
    }

    /** Section 3.2: the SDP of Meta's INVITE (user-initiated, SDES). */
    static String offer32(String... cryptoLines) {
        return String.join("\r\n",
                "v=0",
                "o=- 1750716867913 2 IN IP4 127.0.0.1",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE audio",
                "a=msid-semantic: WMS 4e37b099-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                "m=audio 3480 RTP/SAVP 111 126",
                "c=IN IP4 57.144.219.49",
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=mid:audio",
                "a=sendrecv",
                "a=msid:4e37b099-1c2d-4e5f-8a9b-0c1d2e3f4a5b WhatsAppTrack1",
                "a=rtcp-mux",
                String.join("\r\n", cryptoLines),
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1",
                "a=rtpmap:126 telephone-event/8000",
                "a=maxptime:20",
                "a=ptime:20",
                "a=ssrc:215879358 cname:WhatsAppAudioStream1",
                "");
    }

    /** Section 4.3: Meta's DTLS-mode INVITE SDP (ICE-lite, fingerprint, no a=crypto). */
    static final String OFFER_43_DTLS = String.join("\r\n",
            "v=0",
            "o=- 1750716867914 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=ice-lite",
            "a=group:BUNDLE audio",
            "m=audio 3480 UDP/TLS/RTP/SAVPF 111 126",
            "c=IN IP4 57.144.135.35",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=candidate:1 1 udp 2122260223 57.144.135.35 3480 typ host generation 0 network-cost 50",
            "a=ice-ufrag:Xy7q",
            "a=ice-pwd:c2VjcmV0c2VjcmV0c2VjcmV0cw==",
            "a=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0",
            "a=setup:actpass",
            "a=mid:audio",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=rtcp-fb:111 transport-cc",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=rtpmap:126 telephone-event/8000",
            "a=ssrc:215879359 cname:WhatsAppAudioStream1",
            "");
}
