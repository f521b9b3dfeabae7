package org.wabridge.b2bua.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hostile-input corpus of the robustness tests: RFC 4475's torture messages, kept under
 * {@code torture/rfc4475/} in the RFC's own notation (section 2: {@code <allOneLine>}, {@code <hex>},
 * {@code <repeat count=N>}) and decoded here to the exact bytes, plus a malformed set the RFC does not cover
 * (truncations, oversize, binary junk, bad framing, missing mandatory headers, CRLF floods).
 */
public final class TortureCorpus {

    /** One message: a name for reports and the bytes to put on the wire. */
    public record Message(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** RFC 4475 section 3's messages by their file names (Appendix B), in section order. */
    public static final List<String> RFC4475 = List.of(
            "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
            "mpart01", "unreason", "noreason",
            "badinv01", "clerr", "ncl", "scalar02", "scalarlg", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws",
            "escruri", "baddate", "regbadct", "badaspec", "baddn", "badvers", "mismatch01", "mismatch02", "bigcode",
            "badbranch",
            "insuf", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01", "multi01", "mcl01", "bcast", "zeromf",
            "cparam01", "cparam02", "regescrt", "sdp01",
            "inv2543");

    private static final Pattern ONE_LINE = Pattern.compile("<allOneLine>\\n(.*?)\\n</allOneLine>", Pattern.DOTALL);
    private static final Pattern REPEAT = Pattern.compile("<repeat count=(\\d+)>(.*?)</repeat>", Pattern.DOTALL);
    private static final Pattern HEX = Pattern.compile("<hex>(.*?)</hex>", Pattern.DOTALL);

    private TortureCorpus() {
    }

    public static List<Message> rfc4475() throws IOException {
        List<Message> out = new ArrayList<>();
        for (String name : RFC4475) {
            try (InputStream in = TortureCorpus.class.getResourceAsStream("/torture/rfc4475/" + name + ".txt")) {
                if (in == null) {
                    throw new IOException("missing torture/rfc4475/" + name + ".txt");
                }
                out.add(new Message(name, decode(new String(in.readAllBytes(), StandardCharsets.US_ASCII))));
            }
        }
        return out;
    }

    /** The RFC's notation to wire bytes: lines end in CRLF, escapes expanded. */
    static byte[] decode(String notation) {
        String text = notation.replace("\r\n", "\n");
        Matcher oneLine = ONE_LINE.matcher(text);
        StringBuilder joined = new StringBuilder();
        while (oneLine.find()) {
            oneLine.appendReplacement(joined, Matcher.quoteReplacement(oneLine.group(1).replace("\n", "")));
        }
        oneLine.appendTail(joined);
        Matcher repeat = REPEAT.matcher(joined.toString());
        StringBuilder repeated = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(repeated,
                    Matcher.quoteReplacement(repeat.group(2).repeat(Integer.parseInt(repeat.group(1)))));
        }
        repeat.appendTail(repeated);
        String crlf = repeated.toString().replace("\n", "\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Matcher hex = HEX.matcher(crlf);
        int at = 0;
        while (hex.find()) {
            out.writeBytes(crlf.substring(at, hex.start()).getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(HexFormat.of().parseHex(hex.group(1).replaceAll("\\s", "")));
            at = hex.end();
        }
        out.writeBytes(crlf.substring(at).getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /**
     * Malformed messages beyond the RFC: each names what it breaks. {@code transport} goes into the Via
     * ("UDP", "TCP", "TLS"); {@code maxMessageSize} is the stack's limit (gov.nist.javax.sip.MAX_MESSAGE_SIZE).
     */
    public static List<Message> malformed(String transport, int maxMessageSize) {
        List<Message> out = new ArrayList<>();
        String options = request("OPTIONS", "mal-base", transport, "");
        out.add(new Message("well-formed-options", ascii(request("OPTIONS", "mal-control", transport, ""))));
        out.add(new Message("truncated-start-line", ascii("OPTIONS sip:bridge@127.0.0.1 SIP/2")));
        out.add(new Message("truncated-in-headers", ascii(options.substring(0, options.indexOf("CSeq") + 5))));
        out.add(new Message("truncated-body", ascii(request("INVITE", "mal-trunc-body", transport,
                "Content-Type: application/sdp\r\nContent-Length: 120\r\n", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"))));
        out.add(new Message("header-over-max-size", ascii(request("OPTIONS", "mal-huge-header", transport,
                "X-Huge: " + "a".repeat(maxMessageSize + 1024) + "\r\n"))));
        StringBuilder many = new StringBuilder();
        for (int i = 0; many.length() <= maxMessageSize; i++) {
            many.append("X-Many-").append(i).append(": ").append("v".repeat(60)).append("\r\n");
        }
        out.add(new Message("headers-over-max-size", ascii(request("OPTIONS", "mal-many-headers", transport,
                many.toString()))));
        byte[] junk = new byte[1200];
        new java.util.Random(4475).nextBytes(junk);
        out.add(new Message("binary-junk", junk));
        out.add(new Message("binary-after-start-line", concat(ascii("INVITE sip:x@127.0.0.1 SIP/2.0\r\n"), junk)));
        out.add(new Message("tls-client-hello-on-plain", HexFormat.of().parseHex(
                "16030100a5010000a10303" + "00".repeat(32) + "000213010100")));
        out.add(new Message("content-length-not-a-number", ascii(request("OPTIONS", "mal-cl-nan", transport,
                "Content-Length: lots\r\n"))));
        out.add(new Message("content-length-overflow", ascii(request("OPTIONS", "mal-cl-overflow", transport,
                "Content-Length: 99999999999999999999\r\n"))));
        out.add(new Message("content-length-short", ascii(request("INVITE", "mal-cl-short", transport,
                "Content-Type: application/sdp\r\nContent-Length: 3\r\n", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"))));
        out.add(new Message("missing-via", ascii(request("OPTIONS", "mal-no-via", transport, "").replaceFirst(
                "Via: [^\r]*\r\n", ""))));
        out.add(new Message("missing-call-id", ascii(request("OPTIONS", "mal-no-call-id", transport, "")
                .replaceFirst("Call-ID: [^\r]*\r\n", ""))));
        out.add(new Message("missing-cseq", ascii(request("OPTIONS", "mal-no-cseq", transport, "")
                .replaceFirst("CSeq: [^\r]*\r\n", ""))));
        out.add(new Message("missing-from-to", ascii(request("INVITE", "mal-no-from-to", transport, "")
                .replaceFirst("From: [^\r]*\r\n", "").replaceFirst("To: [^\r]*\r\n", ""))));
        out.add(new Message("via-without-transport", ascii(request("OPTIONS", "mal-via-no-transport", transport, "")
                .replaceFirst("Via: SIP/2.0/\\w+ ", "Via: SIP/2.0 "))));
        out.add(new Message("response-to-nothing", ascii("SIP/2.0 200 OK\r\nVia: SIP/2.0/" + transport
                + " 127.0.0.1:9;branch=z9hG4bKnothing\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2"
                + "\r\nCall-ID: mal-stray-response\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")));
        out.add(new Message("crlf-flood", ascii("\r\n".repeat(Math.min(maxMessageSize / 2, 20_000)))));
        out.add(new Message("double-crlf-keepalives", ascii("\r\n\r\n".repeat(50))));
        return out;
    }

    /** A request from 127.0.0.1 whose Via asks for the answer at the packet's source (rport). */
    static String request(String method, String callId, String transport, String extraHeaders) {
        return request(method, callId, transport, extraHeaders, "");
    }

    static String request(String method, String callId, String transport, String extraHeaders, String body) {
        return method + " sip:+15550100001@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:9;rport;branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+15550100099@127.0.0.1>;tag=" + callId.hashCode() + "\r\n"
                + "To: <sip:+15550100001@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + extraHeaders
                + (extraHeaders.contains("Content-Length") ? "" : "Content-Length: " + body.length() + "\r\n")
                + "\r\n" + body;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
