package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.protocol.inspect.Direction;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The capture file's bytes, read back by hand: headers, checksums, sequence numbers. */
class PcapWriterTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00.123456Z");

    /** One packet as read back: its TCP fields and payload. */
    record Packet(long seconds, long micros, int sourcePort, int destinationPort, long seq, long ack, int flags,
                  byte[] payload) {}

    @Test
    void ipv4StreamHasHandshakeDataAcksAndFinWithValidChecksums() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] big = new byte[PcapWriter.SEGMENT + 10];
        Arrays.fill(big, (byte) 'x');
        try (PcapWriter pcap = PcapWriter.to(file, Clock.fixed(T0, ZoneOffset.UTC))) {
            PcapWriter.Stream s = pcap.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 40000),
                    new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 8080));
            s.data(Direction.CLIENT_TO_SERVER, "GET".getBytes(StandardCharsets.US_ASCII), 0, 3);
            s.data(Direction.SERVER_TO_CLIENT, big, 0, big.length);
            s.fin(Direction.SERVER_TO_CLIENT);
            s.fin(Direction.CLIENT_TO_SERVER);
        }
        List<Packet> packets = read(file.toByteArray(), false);
        // SYN, SYN-ACK, ACK; data + ACK; two segments + ACK; FIN + ACK; FIN + ACK
        assertEquals(12, packets.size());
        Packet syn = packets.get(0);
        Packet synAck = packets.get(1);
        assertEquals(0x02, syn.flags());
        assertEquals(0x12, synAck.flags());
        assertEquals(syn.seq() + 1, synAck.ack());
        assertEquals(40000, syn.sourcePort());
        assertEquals(8080, syn.destinationPort());
        assertEquals(T0.getEpochSecond(), syn.seconds());
        assertEquals(123456, syn.micros());

        Packet get = packets.get(3);
        assertArrayEquals("GET".getBytes(StandardCharsets.US_ASCII), get.payload());
        assertEquals(syn.seq() + 1, get.seq());
        assertEquals(synAck.seq() + 1, get.ack());
        assertEquals((get.seq() + 3) & 0xffffffffL, packets.get(4).ack(), "the server acknowledges the 3 bytes");

        Packet first = packets.get(5);
        Packet second = packets.get(6);
        assertEquals(PcapWriter.SEGMENT, first.payload().length);
        assertEquals(10, second.payload().length);
        assertEquals((first.seq() + PcapWriter.SEGMENT) & 0xffffffffL, second.seq());
        assertEquals((second.seq() + 10) & 0xffffffffL, packets.get(7).ack());

        Packet serverFin = packets.get(8);
        assertEquals(0x11, serverFin.flags());
        assertEquals((serverFin.seq() + 1) & 0xffffffffL, packets.get(9).ack(), "a FIN takes one sequence number");
        assertEquals(0x11, packets.get(10).flags());
    }

    @Test
    void ipv6IsUsedWhenEitherEndIsIpv6AndChecksumsStillHold() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (PcapWriter pcap = PcapWriter.to(file, Clock.fixed(T0, ZoneOffset.UTC))) {
            PcapWriter.Stream s = pcap.open(new InetSocketAddress(InetAddress.getByName("::1"), 40001),
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080));
            s.data(Direction.CLIENT_TO_SERVER, new byte[] {1, 2, 3, 4, 5}, 0, 5); // odd length: padded in the sum
            s.reset(Direction.SERVER_TO_CLIENT);
        }
        List<Packet> packets = read(file.toByteArray(), true);
        assertEquals(6, packets.size());
        assertEquals(0x14, packets.get(5).flags(), "RST+ACK");
    }

    @Test
    void checksumIsTheOnesComplementOfTheOnesComplementSum() {
        // RFC 1071 4.1's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, so the checksum is 220d.
        byte[] bytes = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertEquals(0x220d, PcapWriter.checksum(bytes, 0, bytes.length, 0));
    }

    /** Reads the file, checking the global header, every IP and TCP checksum, and lengths. */
    static List<Packet> read(byte[] file, boolean ipv6) {
        ByteBuffer in = ByteBuffer.wrap(file);
        assertEquals(0xa1b2c3d4, in.getInt());
        assertEquals(2, in.getShort());
        assertEquals(4, in.getShort());
        in.getInt();
        in.getInt();
        assertEquals(262_144, in.getInt());
        assertEquals(1, in.getInt(), "Ethernet");
        List<Packet> packets = new ArrayList<>();
        while (in.hasRemaining()) {
            long seconds = in.getInt() & 0xffffffffL;
            long micros = in.getInt() & 0xffffffffL;
            int captured = in.getInt();
            assertEquals(captured, in.getInt(), "nothing is cut");
            byte[] packet = new byte[captured];
            in.get(packet);
            ByteBuffer p = ByteBuffer.wrap(packet);
            assertEquals(ipv6 ? 0x86dd : 0x0800, p.getShort(12) & 0xffff);
            int ip = 14;
            int tcp;
            long pseudo;
            if (ipv6) {
                assertEquals(6, (p.get(ip) & 0xf0) >> 4);
                int payloadLength = p.getShort(ip + 4) & 0xffff;
                assertEquals(captured - 14 - 40, payloadLength);
                tcp = ip + 40;
                pseudo = sum(packet, ip + 8, 32) + 6 + payloadLength;
            } else {
                assertEquals(0x45, p.get(ip));
                assertEquals(captured - 14, p.getShort(ip + 2) & 0xffff);
                assertEquals(0, PcapWriter.checksum(packet, ip, 20, 0), "IPv4 header checksum");
                tcp = ip + 20;
                pseudo = sum(packet, ip + 12, 8) + 6 + (captured - tcp);
            }
            assertEquals(0, PcapWriter.checksum(packet, tcp, captured - tcp, pseudo), "TCP checksum");
            packets.add(new Packet(seconds, micros, p.getShort(tcp) & 0xffff, p.getShort(tcp + 2) & 0xffff,
                    p.getInt(tcp + 4) & 0xffffffffL, p.getInt(tcp + 8) & 0xffffffffL, p.get(tcp + 13) & 0xff,
                    Arrays.copyOfRange(packet, tcp + 20, captured)));
        }
        return packets;
    }

    private static long sum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = offset; i < offset + length; i += 2) {
            sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        return sum;
    }
}
