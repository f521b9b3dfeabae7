package org.wabridge.media.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wabridge.media.SdpException;

/**
 * A parsed SDP body (RFC 8866), reduced to what a media relay needs: the session connection
 * address and the media sections with their codecs, crypto lines and direction.
 */
public record SessionDescription(String sessionConnection, List<MediaDescription> media) {

    /** The a=sendrecv family. */
    public enum Direction {
        SENDRECV, SENDONLY, RECVONLY, INACTIVE;

        public String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** What an answerer says to an offer with this direction (RFC 3264 section 6.1). */
        public Direction answerTo() {
            return switch (this) {
                case SENDONLY -> RECVONLY;
                case RECVONLY -> SENDONLY;
                default -> this;
            };
        }
    }

    /**
     * One m= section.
     *
     * @param fingerprint the {@code a=fingerprint} value (media level, else session level), or null
     * @param setup       the {@code a=setup} value (media level, else session level), or null
     * @param mid         the {@code a=mid} value, or null
     */
    public record MediaDescription(String type, int port, String protocol, List<Integer> formats,
                                   String connection, List<Codec> codecs, List<String> cryptoLines,
                                   Direction direction, boolean rtcpMux, String fingerprint, String setup,
                                   String mid) {

        /** DTLS-SRTP (RFC 5764): {@code UDP/TLS/RTP/SAVP} or {@code UDP/TLS/RTP/SAVPF}. */
        public boolean isDtlsSrtp() {
            return protocol.toUpperCase(Locale.ROOT).startsWith("UDP/TLS/RTP/SAVP");
        }

        /** The address to send to: media-level c= wins over session-level. */
        public String address() {
            return connection;
        }

        public boolean isAudio() {
            return type.equals("audio");
        }
    }

    /** Parses an SDP body; throws with the offending line when it is not SDP. */
    public static SessionDescription parse(String sdp, String whose) throws SdpException {
        if (sdp == null || sdp.isBlank()) {
            throw new SdpException(whose + " sent no SDP body");
        }
        String sessionConnection = null;
        List<MediaBuilder> sections = new ArrayList<>();
        MediaBuilder current = null;
        // a session-level a=sendonly etc. is the default of every media section (RFC 8866 6.7)
        Direction sessionDirection = Direction.SENDRECV;
        String sessionFingerprint = null;
        String sessionSetup = null;
        boolean sawVersion = false;
        for (String rawLine : (Iterable<String>) sdp.lines()::iterator) { // CRLF, LF (or a stray CR) ends a line
            String line = rawLine.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != '=') {
                throw new SdpException(whose + "'s SDP is not valid: line \"" + abbreviate(line)
                        + "\" is not of the form x=value");
            }
            char kind = line.charAt(0);
            String value = line.substring(2);
            switch (kind) {
                case 'v' -> sawVersion = true;
                case 'c' -> {
                    String address = parseConnection(value, whose);
                    if (current == null) {
                        sessionConnection = address;
                    } else {
                        current.connection = address;
                    }
                }
                case 'm' -> {
                    current = new MediaBuilder(value, whose, sessionDirection);
                    sections.add(current);
                }
                case 'a' -> {
                    if (current != null) {
                        current.attribute(value, whose);
                    } else if (value.startsWith("fingerprint:")) {
                        sessionFingerprint = value.substring("fingerprint:".length()).trim();
                    } else if (value.startsWith("setup:")) {
                        sessionSetup = value.substring("setup:".length()).trim();
                    } else {
                        sessionDirection = directionOf(value, sessionDirection);
                    }
                }
                default -> { }
            }
        }
        if (!sawVersion) {
            throw new SdpException(whose + "'s SDP is not valid: it has no v= line");
        }
        List<MediaDescription> media = new ArrayList<>();
        for (MediaBuilder section : sections) {
            media.add(section.build(sessionConnection, sessionFingerprint, sessionSetup));
        }
        return new SessionDescription(sessionConnection, List.copyOf(media));
    }

    /** The first audio section with a non-zero port, or an SdpException naming who sent it. */
    public MediaDescription audio(String whose) throws SdpException {
        for (MediaDescription m : media) {
            if (m.isAudio() && m.port() != 0) {
                if (m.connection() == null) {
                    throw new SdpException(whose + "'s SDP has an audio line but no c= connection address");
                }
                return m;
            }
        }
        throw new SdpException(whose + "'s SDP has no active audio stream (no m=audio line with a non-zero port)");
    }

    private static Direction directionOf(String attribute, Direction otherwise) {
        return switch (attribute) {
            case "sendrecv" -> Direction.SENDRECV;
            case "sendonly" -> Direction.SENDONLY;
            case "recvonly" -> Direction.RECVONLY;
            case "inactive" -> Direction.INACTIVE;
            default -> otherwise;
        };
    }

    private static String parseConnection(String value, String whose) throws SdpException {
        String[] parts = WHITESPACE.split(value.trim());
        if (parts.length < 3 || !parts[0].equals("IN") || !(parts[1].equals("IP4") || parts[1].equals("IP6"))) {
            throw new SdpException(whose + "'s SDP has an unusable connection line \"c=" + abbreviate(value)
                    + "\": expected \"c=IN IP4 <address>\" or \"c=IN IP6 <address>\"");
        }
        String address = parts[2];
        int slash = address.indexOf('/');
        return slash > 0 ? address.substring(0, slash) : address;
    }

    /** A line quoted in an error (it ends in logs and the call log): short, and never with an SDES key in it. */
    static String abbreviate(String s) {
        String masked = SDES_KEY.matcher(s).replaceAll("inline:****");
        return masked.length() > 80 ? masked.substring(0, 80) + "..." : masked;
    }

    private static final java.util.regex.Pattern SDES_KEY =
            java.util.regex.Pattern.compile("(?i)inline:[^\\s|;]+");
    // compiled once: String.split compiles any pattern longer than one character on every call
    static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    private static final class MediaBuilder {
        final String type;
        final int port;
        final String protocol;
        final List<Integer> formats = new ArrayList<>();
        final Map<Integer, String> rtpmaps = new LinkedHashMap<>();
        final Map<Integer, String> fmtps = new LinkedHashMap<>();
        final List<String> cryptoLines = new ArrayList<>();
        String connection;
        Direction direction;
        boolean rtcpMux;
        String fingerprint;
        String setup;
        String mid;

        MediaBuilder(String value, String whose, Direction sessionDirection) throws SdpException {
            direction = sessionDirection;
            String[] parts = WHITESPACE.split(value.trim());
            if (parts.length < 4) {
                throw new SdpException(whose + "'s SDP has a malformed media line \"m=" + abbreviate(value) + "\"");
            }
            type = parts[0];
            try {
                String portField = parts[1];
                int slash = portField.indexOf('/');
                port = Integer.parseInt(slash > 0 ? portField.substring(0, slash) : portField);
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new SdpException(whose + "'s SDP has an invalid port in \"m=" + abbreviate(value) + "\"");
            }
            protocol = parts[2];
            for (int i = 3; i < parts.length; i++) {
                try {
                    formats.add(Integer.parseInt(parts[i]));
                } catch (NumberFormatException e) {
                    // non-RTP formats (e.g. "webrtc-datachannel") are not ours to relay
                }
            }
        }

        void attribute(String value, String whose) {
            int colon = value.indexOf(':');
            String name = colon < 0 ? value : value.substring(0, colon);
            String rest = colon < 0 ? "" : value.substring(colon + 1).trim();
            switch (name) {
                case "rtpmap" -> putFormatValue(rtpmaps, rest);
                case "fmtp" -> putFormatValue(fmtps, rest);
                case "crypto" -> cryptoLines.add(rest);
                case "rtcp-mux" -> rtcpMux = true;
                case "fingerprint" -> fingerprint = rest;
                case "setup" -> setup = rest;
                case "mid" -> mid = rest;
                default -> direction = directionOf(name, direction);
            }
        }

        private static void putFormatValue(Map<Integer, String> map, String rest) {
            int space = rest.indexOf(' ');
            if (space <= 0) {
                return;
            }
            try {
                map.put(Integer.parseInt(rest.substring(0, space)), rest.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                // ignore a malformed attribute; the format then falls back to its static meaning
            }
        }

        MediaDescription build(String sessionConnection, String sessionFingerprint, String sessionSetup) {
            List<Codec> codecs = new ArrayList<>();
            for (int pt : formats) {
                Codec codec = codecFor(pt);
                if (codec != null) {
                    codecs.add(codec);
                }
            }
            String address = connection != null ? connection : sessionConnection;
            // c=0.0.0.0 is the old (RFC 2543) way to put a stream on hold
            Direction effective = "0.0.0.0".equals(address) && direction == Direction.SENDRECV
                    ? Direction.INACTIVE : direction;
            return new MediaDescription(type, port, protocol, List.copyOf(formats), address,
                    List.copyOf(codecs), List.copyOf(cryptoLines), effective, rtcpMux,
                    fingerprint != null ? fingerprint : sessionFingerprint, setup != null ? setup : sessionSetup, mid);
        }

        private Codec codecFor(int pt) {
            String rtpmap = rtpmaps.get(pt);
            String fmtp = fmtps.get(pt);
            if (rtpmap == null) {
                return switch (pt) {
                    case 0 -> new Codec(0, Codec.PCMU, 8000, 1, fmtp);
                    case 8 -> new Codec(8, Codec.PCMA, 8000, 1, fmtp);
                    case 9 -> new Codec(9, "G722", 8000, 1, fmtp);
                    case 18 -> new Codec(18, "G729", 8000, 1, fmtp);
                    default -> null;
                };
            }
            String[] fields = rtpmap.split("/");
            try {
                int rate = fields.length > 1 ? Integer.parseInt(fields[1].trim()) : 8000;
                int channels = fields.length > 2 ? Integer.parseInt(fields[2].trim()) : 1;
                return new Codec(pt, fields[0].trim(), rate, channels, fmtp);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
