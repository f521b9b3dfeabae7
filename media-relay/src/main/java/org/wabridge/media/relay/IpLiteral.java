package org.wabridge.media.relay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.wabridge.media.SdpException;

/** IP addresses from SDP: literals only, so media set-up never waits on DNS. */
final class IpLiteral {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiteral() {
    }

    static InetAddress parse(String address, String whose) throws SdpException {
        boolean literal = IPV4.matcher(address).matches() || (address.indexOf(':') >= 0 && IPV6.matcher(address).matches());
        if (!literal) {
            throw new SdpException(whose + "'s SDP gives the media address \"" + address
                    + "\", which is not an IP address; host names are not resolved for media");
        }
        try {
            return InetAddress.getByName(address); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new SdpException(whose + "'s SDP gives an invalid media address \"" + address + "\"");
        }
    }
}
