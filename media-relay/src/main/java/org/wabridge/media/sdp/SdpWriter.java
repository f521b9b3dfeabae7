package org.wabridge.media.sdp;

import java.util.List;
import java.util.StringJoiner;

/** Builds SDP text line by line with CRLF endings. */
final class SdpWriter {

    private final StringBuilder text = new StringBuilder(512);

    SdpWriter session(String address, long sessionId, long version) {
        line("v=0");
        line("o=wabridge " + sessionId + " " + version + " IN " + addressType(address) + " " + address);
        line("s=wabridge");
        line("t=0 0");
        return this;
    }

    SdpWriter media(int port, String protocol, List<Codec> codecs, String address) {
        StringJoiner formats = new StringJoiner(" ");
        codecs.forEach(c -> formats.add(Integer.toString(c.payloadType())));
        line("m=audio " + port + " " + protocol + " " + formats);
        line("c=IN " + addressType(address) + " " + address);
        for (Codec codec : codecs) {
            line("a=rtpmap:" + codec.payloadType() + " " + codec.rtpmapValue());
            if (codec.fmtp() != null && !codec.fmtp().isBlank()) {
                line("a=fmtp:" + codec.payloadType() + " " + codec.fmtp());
            }
        }
        return this;
    }

    SdpWriter line(String value) {
        text.append(value).append("\r\n");
        return this;
    }

    static String addressType(String address) {
        return address.indexOf(':') >= 0 ? "IP6" : "IP4";
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
