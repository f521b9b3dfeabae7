package org.wabridge.b2bua.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (isIpLiteral(h)) {
            return InetAddress.getByName(h);
        }
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

    /** The host name we reached {@code address} by, if we resolved it. */
    public Optional<String> nameOf(InetAddress address) {
        return Optional.ofNullable(nameByAddress.get(address));
    }

    /** Digits and dots only (IPv4), or any colon (IPv6); checked per message, so without a regex. */
    public static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
