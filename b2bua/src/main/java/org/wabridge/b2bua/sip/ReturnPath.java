package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import java.net.InetAddress;
import javax.sip.RequestEvent;
import javax.sip.header.ViaHeader;

/**
 * Makes every answer to a request go back the way the request came: the top Via gets {@code received} (the
 * packet's source address) and {@code rport} (its source port), as RFC 3581 does when asked, and the transport the
 * request really arrived on. JAIN-SIP then sends responses, its own and ours, to that literal address and port on
 * that transport, whatever host name, port or transport the sender wrote in its Via: nothing a sender writes makes
 * the bridge look a name up or send elsewhere. A peer must therefore receive on the port it sends from (Asterisk,
 * FreeSWITCH, Kamailio and Meta's edge do).
 */
public final class ReturnPath {

    private ReturnPath() {
    }

    /** Stamps the top Via of {@code event}'s request; false when the request carries no Via to stamp. */
    public static boolean stamp(RequestEvent event) {
        ViaHeader via = (ViaHeader) event.getRequest().getHeader(ViaHeader.NAME);
        if (via == null || !(event.getRequest() instanceof SIPRequest request)) {
            return false;
        }
        // over UDP JAIN-SIP's "remote port" is the Via's port; the packet's own source is kept apart
        InetAddress sourceAddress = request.getPeerPacketSourceAddress() != null
                ? request.getPeerPacketSourceAddress() : request.getRemoteAddress();
        int sourcePort = request.getPeerPacketSourceAddress() != null
                ? request.getPeerPacketSourcePort() : request.getRemotePort();
        if (sourceAddress == null || sourcePort <= 0) {
            return false;
        }
        try {
            via.setReceived(sourceAddress.getHostAddress());
            via.setParameter("rport", Integer.toString(sourcePort));
            if (request.getMessageChannel() instanceof MessageChannel channel
                    && !channel.getTransport().equalsIgnoreCase(via.getTransport())) {
                via.setTransport(channel.getTransport().toUpperCase());
            }
            return true;
        } catch (java.text.ParseException e) {
            return false;
        }
    }
}
