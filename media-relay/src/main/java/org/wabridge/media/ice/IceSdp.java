package org.wabridge.media.ice;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.wabridge.config.IpLiterals;
import org.wabridge.media.SdpException;

/**
 * The ICE lines of SDP: ours to write ({@code a=ice-ufrag}, {@code a=ice-pwd}, host candidates) and the peer's to
 * read. Only the session level and the first {@code m=audio} section are read: the Meta leg has one audio stream
 * with rtcp-mux (and BUNDLE), so one component. Addresses must be IP literals; nothing is ever resolved.
 */
public final class IceSdp {


    private IceSdp() {
    }

    /**
     * Our host candidates, one per address (IPv4 and/or IPv6, each with its port), in order of preference: the
     * first gets local preference 65535, the next 65534 and so on; each address has its own foundation.
     */
    public static List<IceCandidate> hostCandidates(List<InetSocketAddress> addresses) {
        List<IceCandidate> out = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            InetSocketAddress a = addresses.get(i);
            if (a.isUnresolved() || a.getAddress().isAnyLocalAddress()) {
                throw new IllegalArgumentException("a host candidate needs a concrete IP address, not " + a);
            }
            if (a.getPort() <= 0) {
                throw new IllegalArgumentException("a host candidate needs a port: " + a);
            }
            out.add(new IceCandidate(Integer.toString(i + 1), IceCandidate.priority(IceCandidate.Type.HOST, 65535 - i),
                    a, IceCandidate.Type.HOST));
        }
        return out;
    }

    /** Our media-level ICE lines, without line endings: ufrag, pwd, then one {@code a=candidate} per candidate. */
    public static List<String> localLines(IceCredentials credentials, List<IceCandidate> candidates) {
        List<String> lines = new ArrayList<>();
        lines.add("a=ice-ufrag:" + credentials.ufrag());
        lines.add("a=ice-pwd:" + credentials.pwd());
        candidates.forEach(c -> lines.add(c.sdpLine()));
        return lines;
    }

    /**
     * The peer's ICE parameters, or empty when its SDP has no ICE credentials at all (an SDES peer).
     *
     * @throws SdpException when it has ICE but not usably: one credential without the other, invalid ones, or no
     *                      UDP candidate for component 1 with an IP address
     */
    public static Optional<RemoteIce> parseRemote(String sdp, String whose) throws SdpException {
        String sessionUfrag = null, sessionPwd = null, mediaUfrag = null, mediaPwd = null;
        boolean lite = false;
        List<IceCandidate> candidates = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int section = 0; // 0 session, 1 first audio, 2 past it
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("m=")) {
                section = section == 0 && line.startsWith("m=audio ") ? 1 : 2;
                continue;
            }
            if (section == 2 || !line.startsWith("a=")) {
                continue;
            }
            String attr = line.substring(2);
            if (attr.startsWith("ice-ufrag:")) {
                if (section == 0) {
                    sessionUfrag = attr.substring(10).strip();
                } else {
                    mediaUfrag = attr.substring(10).strip();
                }
            } else if (attr.startsWith("ice-pwd:")) {
                if (section == 0) {
                    sessionPwd = attr.substring(8).strip();
                } else {
                    mediaPwd = attr.substring(8).strip();
                }
            } else if (attr.equals("ice-lite") && section == 0) {
                lite = true;
            } else if (attr.startsWith("candidate:") && section == 1) {
                IceCandidate c = candidate(attr, skipped);
                if (c != null) {
                    candidates.add(c);
                }
            }
        }
        String ufrag = mediaUfrag != null ? mediaUfrag : sessionUfrag;
        String pwd = mediaPwd != null ? mediaPwd : sessionPwd;
        if (ufrag == null && pwd == null) {
            return Optional.empty();
        }
        if (ufrag == null || pwd == null) {
            throw new SdpException(whose + "'s SDP has " + (ufrag == null ? "a=ice-pwd but no a=ice-ufrag"
                    : "a=ice-ufrag but no a=ice-pwd"));
        }
        IceCredentials credentials;
        try {
            credentials = new IceCredentials(ufrag, pwd);
        } catch (IllegalArgumentException e) {
            throw new SdpException(whose + "'s SDP has unusable ICE credentials: " + e.getMessage());
        }
        if (candidates.isEmpty()) {
            throw new SdpException(whose + "'s SDP has ICE credentials but no UDP candidate for RTP with an IP address"
                    + (skipped.isEmpty() ? "" : " (ignored: " + String.join("; ", skipped) + ")"));
        }
        return Optional.of(new RemoteIce(credentials, lite, candidates));
    }

    /** One {@code candidate:} attribute value, or null (with the reason in {@code skipped}) when it is not usable. */
    static IceCandidate candidate(String attr, List<String> skipped) throws SdpException {
        String[] f = attr.substring("candidate:".length()).trim().split("\\s+");
        if (f.length < 8 || !f[6].equalsIgnoreCase("typ")) {
            throw new SdpException("malformed ICE candidate \"a=" + attr + "\"");
        }
        if (!f[2].equalsIgnoreCase("udp")) {
            skipped.add(f[2].toLowerCase(Locale.ROOT) + " candidate " + f[4] + " " + f[5]);
            return null;
        }
        if (!f[1].equals("1")) {
            skipped.add("component " + f[1] + " candidate " + f[4] + " " + f[5]);
            return null;
        }
        long priority;
        int port;
        try {
            priority = Long.parseLong(f[3]);
            port = Integer.parseInt(f[5]);
        } catch (NumberFormatException e) {
            throw new SdpException("malformed ICE candidate \"a=" + attr + "\"");
        }
        if (priority < 1 || priority > 0xFFFFFFFFL || port < 1 || port > 65535) {
            throw new SdpException("ICE candidate out of range \"a=" + attr + "\"");
        }
        InetAddress address = IpLiterals.parse(f[4]); // literals only: nothing is ever looked up
        if (address == null) {
            skipped.add("candidate " + f[4] + " (not an IP address)");
            return null;
        }
        IceCandidate.Type type = IceCandidate.Type.fromSdp(f[7]);
        if (type == null) {
            skipped.add("candidate of type " + f[7]);
            return null;
        }
        return new IceCandidate(f[0], priority, new InetSocketAddress(address, port), type);
    }

    /** An address as SDP writes it: dotted IPv4, or IPv6 in RFC 5952's compressed form, no brackets or zone. */
    static String literal(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = ((Inet6Address) a).getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1, bestLength = 1; // only runs of two or more zero groups are compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            s.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                s.append(':');
            }
        }
        return s.toString();
    }
}
