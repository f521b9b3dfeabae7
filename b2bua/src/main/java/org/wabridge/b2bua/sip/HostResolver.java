package org.wabridge.b2bua.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.wabridge.config.IpLiterals;

/**
 * Resolves host names once and remembers them: a DNS lookup per call or per in-dialog request can stall a
 * SIP worker for seconds. It also remembers which name each address was reached by, so TLS can verify the
 * peer certificate against that name. Overrides pin a name to an address (lab, DNS-less set-ups).
 */
public final class HostResolver {

    private final Map<String, InetAddress> byName = new ConcurrentHashMap<>();
    private final Map<InetAddress, String> nameByAddress = new ConcurrentHashMap<>();

    /** Pins {@code host} to {@code address} (e.g. the Meta edge to 127.0.0.1 in a lab). */
    public void pin(String host, InetAddress address) {
        byName.put(host.toLowerCase(), address);
        nameByAddress.put(address, host.toLowerCase());
    }

    /** The address of {@code host}: an IP literal as is, a name from the cache or resolved once. */
    public InetAddress resolve(String host) throws UnknownHostException {
        InetAddress literal = IpLiterals.parse(host); // brackets and all: never a look-up
        if (literal != null) {
            return literal;
        }
        String h = host.trim();
        String key = h.toLowerCase();
        InetAddress cached = byName.get(key);
        if (cached != null) {
            return cached;
        }
        InetAddress resolved = InetAddress.getByName(h);
        byName.put(key, resolved);
        nameByAddress.putIfAbsent(resolved, key);
        return resolved;
    }

    /** True when {@code host} is an IP address as {@link IpLiterals} reads it (brackets allowed). */
    public static boolean isIpLiteral(String host) {
        return IpLiterals.isIpLiteral(host);
    }

    /** The host name we reached {@code address} by, if we resolved it. */
    public Optional<String> nameOf(InetAddress address) {
        return Optional.ofNullable(nameByAddress.get(address));
    }
}
