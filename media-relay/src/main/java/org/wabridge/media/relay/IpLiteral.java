package org.wabridge.media.relay;

import java.net.InetAddress;
import org.wabridge.config.IpLiterals;
import org.wabridge.media.SdpException;

/** IP addresses from SDP: literals only, so media set-up never waits on DNS. */
final class IpLiteral {

    private IpLiteral() {
    }

    static InetAddress parse(String address, String whose) throws SdpException {
        InetAddress parsed = IpLiterals.parse(address);
        if (parsed == null) {
            throw new SdpException(whose + "'s SDP gives the media address \"" + address
                    + "\", which is not an IP address; host names are not resolved for media");
        }
        return parsed;
    }
}
