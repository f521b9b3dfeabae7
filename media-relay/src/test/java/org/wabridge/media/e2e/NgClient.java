package org.wabridge.media.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** A minimal rtpengine ng-protocol client: "cookie bencoded-dict" over UDP (test code only). */
final class NgClient implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final AtomicLong cookies = new AtomicLong(System.nanoTime());

    NgClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.socket.setSoTimeout(2000);
    }

    /** Sends a command and returns the reply dictionary; fails unless result is "ok" or "pong". */
    Map<String, Object> call(Map<String, Object> command) throws IOException {
        String cookie = Long.toString(cookies.incrementAndGet());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((cookie + " ").getBytes(StandardCharsets.US_ASCII));
        encode(command, out);
        byte[] request = out.toByteArray();
        socket.send(new DatagramPacket(request, request.length, server));
        byte[] buf = new byte[65535];
        while (true) {
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            socket.receive(reply);
            String text = new String(buf, 0, reply.getLength(), StandardCharsets.ISO_8859_1);
            int space = text.indexOf(' ');
            if (space < 0 || !text.substring(0, space).equals(cookie)) {
                continue; // a late reply to an earlier retry
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> dict = (Map<String, Object>) new Decoder(
                    text.substring(space + 1).getBytes(StandardCharsets.ISO_8859_1)).value();
            Object result = dict.get("result");
            if (!"ok".equals(result) && !"pong".equals(result)) {
                throw new IOException("rtpengine refused " + command.get("command") + ": " + dict);
            }
            return dict;
        }
    }

    static void encode(Object o, ByteArrayOutputStream out) {
        if (o instanceof Map<?, ?> map) {
            out.write('d');
            for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
                encode(e.getKey(), out);
                encode(e.getValue(), out);
            }
            out.write('e');
        } else if (o instanceof List<?> list) {
            out.write('l');
            list.forEach(x -> encode(x, out));
            out.write('e');
        } else if (o instanceof Number n) {
            out.writeBytes(("i" + n.longValue() + "e").getBytes(StandardCharsets.US_ASCII));
        } else {
            byte[] bytes = o.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
        }
    }

    private static final class Decoder {
        private final byte[] in;
        private int pos;

        Decoder(byte[] in) {
            this.in = in;
        }

        Object value() {
            byte b = in[pos];
            if (b == 'd') {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                while (in[pos] != 'e') {
                    String key = (String) value();
                    map.put(key, value());
                }
                pos++;
                return map;
            }
            if (b == 'l') {
                pos++;
                List<Object> list = new ArrayList<>();
                while (in[pos] != 'e') {
                    list.add(value());
                }
                pos++;
                return list;
            }
            if (b == 'i') {
                int end = indexOf('e', pos);
                long v = Long.parseLong(new String(in, pos + 1, end - pos - 1, StandardCharsets.US_ASCII));
                pos = end + 1;
                return v;
            }
            int colon = indexOf(':', pos);
            int len = Integer.parseInt(new String(in, pos, colon - pos, StandardCharsets.US_ASCII));
            String s = new String(in, colon + 1, len, StandardCharsets.UTF_8);
            pos = colon + 1 + len;
            return s;
        }

        private int indexOf(char c, int from) {
            for (int i = from; i < in.length; i++) {
                if (in[i] == c) {
                    return i;
                }
            }
            throw new IllegalArgumentException("truncated bencode");
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
