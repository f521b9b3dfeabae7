package org.wabridge.sandbox;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.HopImpl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.message.Request;

/**
 * Next hop of every request the sandbox edge sends: always the Request-URI (the peer's Contact, or the
 * configured SIP server), never a Route header. The edge plays Meta's proxies itself, so the Route entries
 * naming {@code wa.meta.vc} and {@code onevc-sip-proxy.fbinfra.net} are its own and need no hop. Names resolve
 * through the pins in the stack property {@link #HOSTS} ({@code name=ip:port,...}; the port is the one
 * configured at Meta for the name), never through DNS.
 */
public final class SandboxRouter implements Router {

    static final String HOSTS = "org.wabridge.sandbox.hosts";

    private final Map<String, String[]> pins = new HashMap<>();

    public SandboxRouter(SipStack stack, String outboundProxy) {
        String hosts = ((SipStackImpl) stack).getConfigurationProperties().getProperty(HOSTS, "");
        for (String pin : hosts.split(",")) {
            int eq = pin.indexOf('=');
            int colon = pin.lastIndexOf(':');
            if (eq > 0 && colon > eq) {
                pins.put(pin.substring(0, eq).toLowerCase(), new String[] {pin.substring(eq + 1, colon),
                        pin.substring(colon + 1)});
            }
        }
    }

    static String pin(String name, String address, int port) {
        return name + "=" + address + ":" + port;
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        URI target = request.getRequestURI();
        if (!(target instanceof SipURI uri)) {
            throw new SipException("cannot route to non-SIP URI " + target);
        }
        String transport = uri.getTransportParam() != null ? uri.getTransportParam().toLowerCase()
                : uri.isSecure() ? "tls" : "udp";
        String[] pinned = pins.get(uri.getHost().toLowerCase());
        int port = uri.getPort() > 0 ? uri.getPort()
                : pinned != null ? Integer.parseInt(pinned[1]) : "tls".equals(transport) ? 5061 : 5060;
        String host = pinned != null ? pinned[0] : uri.getHost();
        try {
            return new HopImpl(InetAddress.getByName(host).getHostAddress(), port, transport);
        } catch (UnknownHostException e) {
            throw new SipException("sandbox: cannot resolve " + host + ": " + e.getMessage());
        }
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
