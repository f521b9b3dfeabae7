package org.wabridge.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a {@code sip:} / {@code sips:} URI that configuration checks need:
 * {@code scheme:[user@]host[:port][;param[=value]]...}. URI headers ({@code ?...}) are not accepted.
 *
 * @param scheme lower case, "sip" or "sips"
 * @param user   user part including user parameters, or null
 * @param host   host name or IP literal (IPv6 without brackets)
 * @param port   port, or -1 when absent
 * @param params URI parameters, names in lower case, flag parameters map to ""
 */
public record SipUri(String scheme, String user, String host, int port, Map<String, String> params) {

    private static final Pattern HOSTNAME =
            Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\\.?");

    /** @throws IllegalArgumentException naming what is wrong */
    public static SipUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the URI is empty");
        }
        String t = text.trim();
        int colon = t.indexOf(':');
        String scheme = colon < 0 ? "" : t.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            throw new IllegalArgumentException("'" + t + "' does not start with sip: (e.g. sip:host:5060)");
        }
        String rest = t.substring(colon + 1);
        if (rest.indexOf('?') >= 0) {
            throw new IllegalArgumentException("'" + t + "' has URI headers ('?...'), which are not supported here");
        }
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("'" + t + "' has an empty user part before '@'");
            }
        }
        int semicolon = rest.indexOf(';');
        String hostPort = semicolon < 0 ? rest : rest.substring(0, semicolon);
        Map<String, String> params = parseParams(t, semicolon < 0 ? "" : rest.substring(semicolon + 1));

        String host;
        int port = -1;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + t + "' has an IPv6 host without a closing ']'");
            }
            host = hostPort.substring(1, close);
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("'" + t + "' has text after the IPv6 host");
                }
                portText = after.substring(1);
            }
            if (IpLiterals.parse(host) == null || host.indexOf(':') < 0) {
                throw new IllegalArgumentException("'" + t + "' has an invalid IPv6 host [" + host + "]");
            }
        } else {
            int portColon = hostPort.indexOf(':');
            host = portColon < 0 ? hostPort : hostPort.substring(0, portColon);
            portText = portColon < 0 ? null : hostPort.substring(portColon + 1);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("'" + t + "' has no host");
            }
            if (!isHostname(host)) {
                throw new IllegalArgumentException("'" + t + "' has an invalid host '" + host + "'");
            }
        }
        if (portText != null) {
            if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                throw new IllegalArgumentException("'" + t + "' has an invalid port '" + portText + "' (expected 1..65535)");
            }
            port = Integer.parseInt(portText);
        }
        return new SipUri(scheme, user, host, port, params);
    }

    private static Map<String, String> parseParams(String uri, String text) {
        Map<String, String> params = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return Collections.unmodifiableMap(params);
        }
        for (String param : text.split(";", -1)) {
            int eq = param.indexOf('=');
            String name = (eq < 0 ? param : param.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + uri + "' has an empty URI parameter (';;' or a trailing ';')");
            }
            params.put(name, eq < 0 ? "" : param.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(params);
    }

    /** True for a syntactically valid DNS host name (labels of letters, digits and inner hyphens). */
    public static boolean isHostname(String text) {
        return text != null && HOSTNAME.matcher(text).matches();
    }

    /** The {@code transport} parameter in lower case, or null when absent. */
    public String transport() {
        String value = params.get("transport");
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    public boolean hostIsIpLiteral() {
        return IpLiterals.isIpLiteral(host);
    }
}
