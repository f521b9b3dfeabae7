package org.wabridge.media.dtls;

import java.util.ArrayList;
import java.util.List;

/** Test helper: names the DTLS records in a datagram, e.g. {@code [ClientHello]}, for logs and policies. */
final class DtlsDatagrams {

    private DtlsDatagrams() {
    }

    static List<String> describe(byte[] d) {
        List<String> out = new ArrayList<>();
        int off = 0;
        while (off + 13 <= d.length) {
            int type = d[off] & 0xFF;
            int epoch = ((d[off + 3] & 0xFF) << 8) | (d[off + 4] & 0xFF);
            int len = ((d[off + 11] & 0xFF) << 8) | (d[off + 12] & 0xFF);
            int body = off + 13;
            String name = switch (type) {
                case 20 -> "ChangeCipherSpec";
                case 21 -> epoch == 0 ? "Alert(" + (body + 1 < d.length ? d[body + 1] & 0xFF : -1) + ")" : "Alert(encrypted)";
                case 22 -> epoch == 0 && body < d.length ? handshake(d[body] & 0xFF, body + 12 <= d.length
                        ? ((d[body + 6] & 0xFF) << 16 | (d[body + 7] & 0xFF) << 8 | (d[body + 8] & 0xFF)) : 0)
                        : "Finished(encrypted)";
                case 23 -> "ApplicationData";
                default -> "?" + type;
            };
            out.add(name);
            off = body + len;
        }
        return out;
    }

    static boolean contains(byte[] d, String name) {
        return describe(d).stream().anyMatch(s -> s.startsWith(name));
    }

    private static String handshake(int msgType, int fragmentOffset) {
        String name = switch (msgType) {
            case 1 -> "ClientHello";
            case 2 -> "ServerHello";
            case 3 -> "HelloVerifyRequest";
            case 11 -> "Certificate";
            case 12 -> "ServerKeyExchange";
            case 13 -> "CertificateRequest";
            case 14 -> "ServerHelloDone";
            case 15 -> "CertificateVerify";
            case 16 -> "ClientKeyExchange";
            case 20 -> "Finished";
            default -> "Handshake" + msgType;
        };
        return fragmentOffset == 0 ? name : name + "@" + fragmentOffset;
    }
}
