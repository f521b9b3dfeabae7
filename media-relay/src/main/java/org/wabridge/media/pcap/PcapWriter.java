package org.wabridge.media.pcap;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a classic libpcap file (what Wireshark, tshark and Meta support open) in memory: every record is a
 * UDP datagram with synthesized IPv4 or IPv6 and UDP headers (link type RAW, so no Ethernet header). SIP that
 * travelled over TLS is written as its decrypted text in UDP on the same ports, the readable view a support
 * ticket needs. Pure code: no I/O, not thread-safe (callers serialise per call).
 */
public final class PcapWriter {

    private static final int MAGIC = 0xa1b2c3d4;
    private static final int LINKTYPE_RAW = 101;
    private static final int SNAPLEN = 65535;
    private static final int UDP = 17;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int records;

    public PcapWriter() {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(LINKTYPE_RAW);
        out.writeBytes(header.array());
    }

    /**
     * Adds one datagram.
     *
     * @param epochMicros when it was sent or received, microseconds since the epoch
     * @param from        source address and port
     * @param to          destination address and port (same IP family as {@code from})
     */
    public void udp(long epochMicros, InetSocketAddress from, InetSocketAddress to, byte[] payload, int length) {
        byte[] packet = from.getAddress() instanceof Inet6Address
                ? ipv6(from, to, payload, length) : ipv4(from, to, payload, length);
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt((int) (epochMicros / 1_000_000)).putInt((int) (epochMicros % 1_000_000))
                .putInt(packet.length).putInt(packet.length);
        out.writeBytes(record.array());
        out.writeBytes(packet);
        records++;
    }

    public int records() {
        return records;
    }

    /** The whole file so far. */
    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private static byte[] ipv4(InetSocketAddress from, InetSocketAddress to, byte[] payload, int length) {
        int total = 20 + 8 + length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) UDP).putShort((short) 0)
                .put(v4(from.getAddress())).put(v4(to.getAddress()));
        b.putShort(10, checksum(b.array(), 0, 20));
        udpHeader(b, from, to, length);
        b.put(payload, 0, length);
        return b.array();
    }

    private static byte[] ipv6(InetSocketAddress from, InetSocketAddress to, byte[] payload, int length) {
        ByteBuffer b = ByteBuffer.allocate(40 + 8 + length);
        b.putInt(0x60000000).putShort((short) (8 + length)).put((byte) UDP).put((byte) 64)
                .put(from.getAddress().getAddress()).put(to.getAddress().getAddress());
        udpHeader(b, from, to, length);
        b.put(payload, 0, length);
        return b.array();
    }

    /** UDP header with checksum 0 ("not computed"): valid for IPv4 and accepted by Wireshark for IPv6 captures. */
    private static void udpHeader(ByteBuffer b, InetSocketAddress from, InetSocketAddress to, int length) {
        b.putShort((short) from.getPort()).putShort((short) to.getPort()).putShort((short) (8 + length))
                .putShort((short) 0);
    }

    private static byte[] v4(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            throw new IllegalArgumentException("mixed IPv4/IPv6 addresses in one datagram: " + address);
        }
        return address.getAddress();
    }

    private static short checksum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i += 2) {
            sum += ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
