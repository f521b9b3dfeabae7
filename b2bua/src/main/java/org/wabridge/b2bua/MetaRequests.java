package org.wabridge.b2bua;

import java.text.ParseException;
import java.util.List;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.MetaSide;
import org.wabridge.config.SipUri;

/**
 * Builds requests toward Meta exactly as Meta documents them (whatsapp-sip-facts.md section 2.2):
 * Request-URI {@code sip:+E164@wa.meta.vc;transport=tls} (never an IP, never sips:), From the business
 * number at the configured host, To the user at the edge host, a TLS Contact Meta can reach, and no
 * session timers, 100rel or UPDATE (Meta answers re-INVITEs with 500).
 */
final class MetaRequests {

    static final List<String> ALLOW = List.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "NOTIFY");
    static final String USER_AGENT = "wa-sip-bridge/0.1";

    private final MetaSide meta;
    private final EdgeUri edge;
    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;

    MetaRequests(MetaSide meta, SipProvider provider, AddressFactory addresses, HeaderFactory headers,
                 MessageFactory messages) {
        this.meta = meta;
        this.edge = EdgeUri.parse(meta.edgeUri());
        this.provider = provider;
        this.addresses = addresses;
        this.headers = headers;
        this.messages = messages;
    }

    EdgeUri edge() {
        return edge;
    }

    Request metaInvite(BusinessNumber number, String waUser, String sdpOffer)
            throws ParseException, InvalidArgumentException {
        SipURI requestUri = addresses.createSipURI(waUser, edge.host());
        if (edge.port() != edge.defaultPort()) {
            requestUri.setPort(edge.port());
        }
        requestUri.setTransportParam(edge.transport());

        SipURI fromUri = addresses.createSipURI(number.number(), meta.fromDomain());
        Address from = addresses.createAddress(fromUri);
        Address to = addresses.createAddress(addresses.createSipURI(waUser, edge.host()));
        CallIdHeader callId = provider.getNewCallId();

        Request invite = messages.createRequest(requestUri, Request.INVITE, callId,
                headers.createCSeqHeader(1L, Request.INVITE),
                headers.createFromHeader(from, SipSignalling.newTag()),
                headers.createToHeader(to, null),
                List.of(metaVia()),
                headers.createMaxForwardsHeader(70));
        invite.addHeader(headers.createContactHeader(contact(number.number())));
        for (String method : ALLOW) {
            invite.addHeader(headers.createAllowHeader(method));
        }
        invite.addHeader(headers.createUserAgentHeader(List.of(USER_AGENT)));
        invite.setContent(sdpOffer, headers.createContentTypeHeader("application", "sdp"));
        return invite;
    }

    /** A fresh Via for our Meta-side listening point; the client transaction sets the branch. */
    ViaHeader metaVia() throws ParseException, InvalidArgumentException {
        ListeningPoint lp = provider.getListeningPoints()[0];
        return headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), null);
    }

    /** Where Meta sends in-dialog requests: the public host and port of our Meta listener. */
    Address contact(String user) throws ParseException {
        ListeningPoint lp = provider.getListeningPoints()[0];
        SipURI uri = addresses.createSipURI(user, meta.publicHost());
        uri.setPort(meta.publicPort());
        uri.setTransportParam(lp.getTransport().toLowerCase());
        return addresses.createAddress(uri);
    }

    /** The parts of {@code meta.edgeUri}: host, port and transport of Meta's SIP edge. */
    record EdgeUri(String host, int port, String transport) {

        static EdgeUri parse(String uri) {
            SipUri parsed = SipUri.parse(uri);
            EdgeUri edge = new EdgeUri(parsed.host(), parsed.port(), parsed.transport() == null ? "tls" : parsed.transport());
            return edge.port > 0 ? edge : new EdgeUri(edge.host, edge.defaultPort(), edge.transport);
        }

        int defaultPort() {
            return "tls".equals(transport) ? 5061 : 5060;
        }
    }
}
