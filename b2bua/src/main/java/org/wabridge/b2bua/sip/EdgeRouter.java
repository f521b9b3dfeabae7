package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.stack.HopImpl;
import java.net.UnknownHostException;
import java.util.List;
import java.util.ListIterator;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;

/**
 * Next hop of every request we send: the top Route if there is one (Meta's record-route set), else the
 * Request-URI. Host names go through the stack's {@link HostResolver} (remembered and refreshed in the background,
 * pinned in labs), so no request ever waits on DNS once the bridge runs. No SRV/NAPTR: Meta's edge is reached by name
 * and port; of its A/AAAA records the resolver's preferred one is the hop, the others are tried on connection failure.
 */
public final class EdgeRouter implements Router {

    private final HostResolver resolver;

    public EdgeRouter(SipStack stack, String outboundProxy) {
        this.resolver = StackContext.of(stack).resolver();
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        URI target = route != null ? route.getAddress().getURI() : request.getRequestURI();
        if (!(target instanceof SipURI uri)) {
            throw new SipException("cannot route to non-SIP URI " + target);
        }
        String transport = transportOf(uri);
        int port = uri.getPort() > 0 ? uri.getPort() : ("tls".equals(transport) ? 5061 : 5060);
        try {
            return new HopImpl(resolver.resolve(uri.getHost()).getHostAddress(), port, transport);
        } catch (UnknownHostException e) {
            throw new SipException("cannot resolve " + uri.getHost() + ": " + e.getMessage());
        }
    }

    static String transportOf(SipURI uri) {
        String t = uri.getTransportParam();
        if (t != null) {
            return t.toLowerCase();
        }
        return uri.isSecure() ? "tls" : "udp";
    }

    @Override
    public Hop getOutboundProxy() {
        return null;
    }

    @Override
    @Deprecated
    public ListIterator<Hop> getNextHops(Request request) {
        try {
            return List.of(getNextHop(request)).listIterator();
        } catch (SipException e) {
            return List.<Hop>of().listIterator();
        }
    }
}
