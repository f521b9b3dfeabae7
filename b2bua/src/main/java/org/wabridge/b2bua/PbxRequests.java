package org.wabridge.b2bua;

import gov.nist.javax.sip.header.SIPHeader;
import java.text.ParseException;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.PbxSide;

/**
 * Builds the INVITE toward the PBX for a user-initiated call: to the number's PBX target (or the default), from
 * the WhatsApp user, carrying Meta's {@code x-wa-meta-*} headers as {@code X-WA-*} so a dialplan or CRM can read
 * them ({@code x-wa-meta-wacid} becomes {@code X-WA-Wacid}, {@code x-wa-meta-cta-payload} {@code X-WA-Cta-Payload}).
 */
final class PbxRequests {

    private static final String META_PREFIX = "x-wa-meta-";

    private final PbxSide pbx;
    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;

    PbxRequests(PbxSide pbx, SipProvider provider, AddressFactory addresses, HeaderFactory headers,
                MessageFactory messages) {
        this.pbx = pbx;
        this.provider = provider;
        this.addresses = addresses;
        this.headers = headers;
        this.messages = messages;
    }

    /** The PBX target of {@code number}: its own, else the PBX default; null when neither is configured. */
    String targetOf(BusinessNumber number) {
        return number.pbxTarget() != null ? number.pbxTarget() : pbx.target();
    }

    Request pbxInvite(BusinessNumber number, String waUser, String sdpOffer, Request metaInvite)
            throws ParseException, InvalidArgumentException {
        SipURI target = (SipURI) addresses.createURI(targetOf(number));
        if (target.getUser() == null) {
            target.setUser(number.number()); // the PBX routes on the business number dialled
        }
        String transport = target.getTransportParam() == null ? "udp" : target.getTransportParam().toLowerCase(Locale.ROOT);
        ListeningPoint lp = provider.getListeningPoint(transport);
        if (lp == null) {
            throw new ParseException("no PBX listener for transport " + transport + " of " + target, 0);
        }
        SipURI fromUri = addresses.createSipURI(waUser, lp.getIPAddress());
        Address from = addresses.createAddress(fromUri);
        Address to = addresses.createAddress(addresses.createSipURI(target.getUser(), target.getHost()));
        Request invite = messages.createRequest(target, Request.INVITE, provider.getNewCallId(),
                headers.createCSeqHeader(1L, Request.INVITE),
                headers.createFromHeader(from, SipSignalling.newTag()),
                headers.createToHeader(to, null),
                List.of(headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), null)),
                headers.createMaxForwardsHeader(70));
        SipURI contact = addresses.createSipURI("bridge", lp.getIPAddress());
        contact.setPort(lp.getPort());
        contact.setTransportParam(lp.getTransport().toLowerCase(Locale.ROOT));
        invite.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
        invite.addHeader(headers.createUserAgentHeader(List.of(MetaRequests.USER_AGENT)));
        copyMetaHeaders(metaInvite, invite);
        invite.setContent(sdpOffer, headers.createContentTypeHeader("application", "sdp"));
        return invite;
    }

    /** {@code x-wa-meta-foo-bar: v} becomes {@code X-WA-Foo-Bar: v}. */
    private void copyMetaHeaders(Request from, Request to) throws ParseException {
        ListIterator<String> names = from.getHeaderNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.toLowerCase(Locale.ROOT).startsWith(META_PREFIX)) {
                continue;
            }
            String pbxName = "X-WA-" + capitalise(name.substring(META_PREFIX.length()));
            ListIterator<?> values = from.getHeaders(name);
            while (values.hasNext()) {
                Header h = (Header) values.next();
                to.addHeader(headers.createHeader(pbxName, ((SIPHeader) h).getHeaderValue().trim()));
            }
        }
    }

    static String capitalise(String dashed) {
        StringBuilder sb = new StringBuilder();
        for (String part : dashed.toLowerCase(Locale.ROOT).split("[-_]")) {
            if (!part.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('-');
                }
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }
}
