package org.wabridge.b2bua.sip;

import gov.nist.core.net.AddressResolver;
import gov.nist.javax.sip.stack.HopImpl;
import java.util.concurrent.atomic.LongAdder;
import javax.sip.address.Hop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.config.IpLiterals;

/**
 * JAIN-SIP's hook for every host it takes from a message: a Via sent-by to answer, the address a connection was
 * opened from to reconnect to. The bridge answers at the packet's source (it stamps {@code received} and
 * {@code rport} on every request, see {@code ReturnPath}), so a literal is all the stack needs; a name here was
 * chosen by whoever sent the message and is never looked up: the hop it gets back names no address
 * ({@link #UNRESOLVED}, which {@link java.net.InetAddress#getByName} rejects without DNS), the send fails at once,
 * and the refusal is counted and logged at DEBUG. Outgoing requests are routed by {@link EdgeRouter}, not here.
 */
public final class LiteralHopResolver implements AddressResolver {

    private static final Logger LOG = LoggerFactory.getLogger(LiteralHopResolver.class);
    /** Not an address: InetAddress rejects a bracketed non-IPv6 text as an invalid literal, with no look-up. */
    static final String UNRESOLVED = "[no-dns]";

    private final LongAdder refused = new LongAdder();

    @Override
    public Hop resolveAddress(Hop hop) {
        String transport = hop.getTransport() == null ? "udp" : hop.getTransport();
        int port = hop.getPort() > 0 ? hop.getPort() : "tls".equalsIgnoreCase(transport) ? 5061 : 5060;
        if (IpLiterals.isIpLiteral(hop.getHost())) {
            return hop.getPort() > 0 ? hop : new HopImpl(hop.getHost(), port, transport);
        }
        refused.increment();
        LOG.debug("not resolving '{}' taken from a SIP message (names chosen by a sender are never looked up)",
                hop.getHost());
        return new HopImpl(UNRESOLVED, port, transport);
    }

    /** Names from messages the stack asked to resolve and did not get. */
    public long refused() {
        return refused.sum();
    }
}
