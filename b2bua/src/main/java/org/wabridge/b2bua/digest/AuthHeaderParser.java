package org.wabridge.b2bua.digest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a challenge or credentials header value ({@code Scheme k=v, k="v", ...}, RFC 7235 section 2.1,
 * RFC 3261 section 25.1) into schemes and their parameters.
 *
 * <p>Tolerant where real peers are sloppy: any key order, case-insensitive keys, spaces around '=',
 * missing or doubled commas, quoted strings with commas and backslash escapes, several challenges in
 * one value. Strict where sloppiness would be dangerous: control characters (CR/LF could smuggle a
 * header into what we echo back), duplicate keys (which one would we verify?), unterminated quotes.
 */
final class AuthHeaderParser {

    /** One scheme and its parameters; keys are lowercase, values unquoted and unescaped. */
    record Scheme(String name, Map<String, String> params) {}

    private final String text;
    private int pos;

    private AuthHeaderParser(String text) {
        this.text = text;
    }

    /**
     * Parses a header value.
     *
     * @return the schemes in the order written, or an empty list when the value is null or not well-formed
     */
    static List<Scheme> parse(String headerValue) {
        if (headerValue == null) {
            return List.of();
        }
        // A line end around the value is harmless (some APIs hand it over); inside it would be an injection.
        String value = headerValue.strip();
        if (hasControlCharacter(value)) {
            return List.of();
        }
        List<Scheme> schemes = new AuthHeaderParser(value).schemes();
        return schemes == null ? List.of() : schemes;
    }

    private static boolean hasControlCharacter(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** Returns null on a syntax error. */
    private List<Scheme> schemes() {
        List<Scheme> schemes = new ArrayList<>();
        skipSeparators();
        while (pos < text.length()) {
            String name = token();
            if (name.isEmpty()) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                skipSeparators();
                if (pos >= text.length()) {
                    break;
                }
                int start = pos;
                String key = token();
                if (key.isEmpty()) {
                    return null; // a stray '=' or quote where a name belongs
                }
                skipWhitespace();
                if (pos >= text.length() || text.charAt(pos) != '=') {
                    pos = start; // a bare token: the next scheme's name
                    break;
                }
                pos++;
                skipWhitespace();
                String value = value();
                if (value == null || params.putIfAbsent(key.toLowerCase(Locale.ROOT), value) != null) {
                    return null;
                }
            }
            schemes.add(new Scheme(name, Collections.unmodifiableMap(params)));
        }
        return schemes;
    }

    private String token() {
        int start = pos;
        while (pos < text.length() && isTokenChar(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private static boolean isTokenChar(char c) {
        return c != ' ' && c != '\t' && c != ',' && c != '=' && c != '"';
    }

    /** A quoted string (unescaped) or a bare value; null when empty, unterminated or starting with '='. */
    private String value() {
        if (pos >= text.length()) {
            return null;
        }
        if (text.charAt(pos) == '=') {
            return null;
        }
        if (text.charAt(pos) != '"') {
            // A bare token; '=' is tolerated after its first character for unquoted base64 nonces.
            int start = pos;
            while (pos < text.length() && !isValueEnd(text.charAt(pos))) {
                pos++;
            }
            return pos == start ? null : text.substring(start, pos);
        }
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\') {
                if (pos >= text.length()) {
                    return null;
                }
                c = text.charAt(pos++);
            }
            value.append(c);
        }
        return null;
    }

    private static boolean isValueEnd(char c) {
        return c == ' ' || c == '\t' || c == ',';
    }

    private void skipWhitespace() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void skipSeparators() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' || text.charAt(pos) == ',')) {
            pos++;
        }
    }

    /** Writes {@code value} as a quoted string, escaping '"' and '\'. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    /** Rejects values that would break the header we write (CR/LF injection, other control characters). */
    static String requirePrintable(String value, String what) {
        if (value == null) {
            throw new NullPointerException(what + " is null");
        }
        if (hasControlCharacter(value)) {
            throw new IllegalArgumentException(what + " contains a control character (CR, LF or similar); "
                    + "it cannot be written into a SIP header");
        }
        return value;
    }
}
