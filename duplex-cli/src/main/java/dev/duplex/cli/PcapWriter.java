package dev.duplex.cli;

import dev.duplex.protocol.inspect.Direction;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes relayed conversations as a pcap file (the classic libpcap format, Ethernet link type)
 * that Wireshark and tshark open and dissect: each relayed connection becomes one TCP stream
 * between the client's address and the upstream's, with a three-way handshake, the real bytes
 * in data segments with correct sequence and acknowledgement numbers, an acknowledgement for
 * each segment, and FIN or RST at the end. Ethernet, IP and TCP headers are synthesised, with
 * valid IPv4 and TCP checksums; IPv6 is used when either address is IPv6.
 *
 * <p>Every packet is flushed as it is written, so the file is readable while the relay runs
 * and complete up to the last packet if the process is killed. Thread-safe.
 */
final class PcapWriter implements Closeable {
    private static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    private static final int SNAPLEN = 262_144;
    private static final int LINKTYPE_ETHERNET = 1;
    /** Payload bytes per TCP segment; larger chunks are split, as a real stack would. */
    static final int SEGMENT = 16_384;

    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;

    private static final byte[] CLIENT_MAC = {0x02, 0, 0, 0, 0, 0x01};
    private static final byte[] SERVER_MAC = {0x02, 0, 0, 0, 0, 0x02};

    private final OutputStream out;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private PcapWriter(OutputStream out, Clock clock) throws IOException {
        this.out = out;
        this.clock = clock;
        ByteBuffer header = ByteBuffer.allocate(24);
        header.putInt(MAGIC_MICROSECONDS).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0) // GMT offset, timestamp accuracy
                .putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        out.write(header.array());
        out.flush();
    }

    /** Creates (or truncates) {@code file} and writes the pcap file header. */
    static PcapWriter create(Path file) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file)), Clock.systemUTC());
    }

    /** A writer to any stream, with its own clock, for tests. */
    static PcapWriter to(OutputStream out, Clock clock) throws IOException {
        return new PcapWriter(out, clock);
    }

    /**
     * Starts a TCP stream between a client and a server address and writes its three-way
     * handshake.
     */
    Stream open(InetSocketAddress client, InetSocketAddress server) {
        Stream stream = new Stream(client, server);
        stream.handshake();
        return stream;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                out.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /** One TCP stream: sequence numbers for both ends, and the packets that advance them. */
    final class Stream {
        private final Endpoint client;
        private final Endpoint server;
        private final boolean ipv6;

        private Stream(InetSocketAddress client, InetSocketAddress server) {
            this.ipv6 = client.getAddress() instanceof Inet6Address || server.getAddress() instanceof Inet6Address;
            this.client = new Endpoint(address(client.getAddress()), client.getPort(), CLIENT_MAC);
            this.server = new Endpoint(address(server.getAddress()), server.getPort(), SERVER_MAC);
        }

        private byte[] address(InetAddress a) {
            if (!ipv6) {
                return a.getAddress();
            }
            if (a instanceof Inet4Address) {
                byte[] mapped = new byte[16]; // ::ffff:a.b.c.d (RFC 4291 2.5.5.2)
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
                return mapped;
            }
            return a.getAddress();
        }

        private void handshake() {
            lock.lock();
            try {
                packet(client, server, SYN, new byte[0], 0, 0);
                client.next++;
                packet(server, client, SYN | ACK, new byte[0], 0, 0);
                server.next++;
                packet(client, server, ACK, new byte[0], 0, 0);
            } finally {
                lock.unlock();
            }
        }

        /** Bytes that went in {@code direction}, then the receiver's acknowledgement. */
        void data(Direction direction, byte[] bytes, int offset, int length) {
            Endpoint from = sender(direction);
            Endpoint to = receiver(direction);
            lock.lock();
            try {
                for (int at = offset; at < offset + length; at += SEGMENT) {
                    int n = Math.min(SEGMENT, offset + length - at);
                    packet(from, to, PSH | ACK, bytes, at, n);
                    from.next += n;
                }
                packet(to, from, ACK, new byte[0], 0, 0);
            } finally {
                lock.unlock();
            }
        }

        /** The sender in {@code direction} closed its side: FIN, and the receiver's acknowledgement. */
        void fin(Direction direction) {
            Endpoint from = sender(direction);
            Endpoint to = receiver(direction);
            lock.lock();
            try {
                if (from.finished) {
                    return;
                }
                from.finished = true;
                packet(from, to, FIN | ACK, new byte[0], 0, 0);
                from.next++;
                packet(to, from, ACK, new byte[0], 0, 0);
            } finally {
                lock.unlock();
            }
        }

        /** The connection was reset by the sender in {@code direction}; the stream is over. */
        void reset(Direction direction) {
            Endpoint from = sender(direction);
            Endpoint to = receiver(direction);
            lock.lock();
            try {
                if (from.finished && to.finished) {
                    return;
                }
                from.finished = true;
                to.finished = true;
                packet(from, to, RST | ACK, new byte[0], 0, 0);
            } finally {
                lock.unlock();
            }
        }

        private Endpoint sender(Direction direction) {
            return direction == Direction.CLIENT_TO_SERVER ? client : server;
        }

        private Endpoint receiver(Direction direction) {
            return direction == Direction.CLIENT_TO_SERVER ? server : client;
        }

        /** Writes one Ethernet frame holding an IP packet holding a TCP segment. Holds the lock. */
        private void packet(Endpoint from, Endpoint to, int flags, byte[] payload, int offset, int length) {
            if (closed) {
                return;
            }
            int ipHeader = ipv6 ? 40 : 20;
            int tcpLength = 20 + length;
            ByteBuffer frame = ByteBuffer.allocate(14 + ipHeader + tcpLength);
            frame.put(to.mac).put(from.mac).putShort((short) (ipv6 ? 0x86dd : 0x0800));
            if (ipv6) {
                frame.putInt(6 << 28).putShort((short) tcpLength).put((byte) 6).put((byte) 64)
                        .put(from.address).put(to.address);
            } else {
                int ip = frame.position();
                frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpLength))
                        .putShort((short) from.ipId++).putShort((short) 0x4000) // don't fragment
                        .put((byte) 64).put((byte) 6).putShort((short) 0)
                        .put(from.address).put(to.address);
                frame.putShort(ip + 10, (short) checksum(frame.array(), ip, 20, 0));
            }
            int tcp = frame.position();
            frame.putShort((short) from.port).putShort((short) to.port)
                    .putInt((int) from.next)
                    .putInt((flags & ACK) != 0 ? (int) to.next : 0)
                    .put((byte) (5 << 4)).put((byte) flags)
                    .putShort((short) 0xffff) // window
                    .putShort((short) 0) // checksum, filled in below
                    .putShort((short) 0) // urgent pointer
                    .put(payload, offset, length);
            long pseudo = pseudoHeaderSum(from.address, to.address, tcpLength);
            frame.putShort(tcp + 16, (short) checksum(frame.array(), tcp, tcpLength, pseudo));
            write(frame.array());
        }

        private void write(byte[] packet) {
            Instant now = clock.instant();
            ByteBuffer record = ByteBuffer.allocate(16);
            record.putInt((int) now.getEpochSecond()).putInt(now.getNano() / 1000)
                    .putInt(packet.length).putInt(packet.length);
            try {
                out.write(record.array());
                out.write(packet);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** One end of a stream: its address and the next sequence number it will send. */
    private static final class Endpoint {
        final byte[] address;
        final int port;
        final byte[] mac;
        /** Sequence numbers are 32 bits and wrap; only the low 32 bits are written. */
        long next = ThreadLocalRandom.current().nextInt() & 0xffffffffL;
        int ipId = ThreadLocalRandom.current().nextInt(0x10000);
        boolean finished;

        Endpoint(byte[] address, int port, byte[] mac) {
            this.address = address;
            this.port = port;
            this.mac = mac;
        }
    }

    /** The TCP pseudo-header's contribution (RFC 9293 3.1; RFC 8200 8.1 for IPv6). */
    private static long pseudoHeaderSum(byte[] source, byte[] destination, int tcpLength) {
        long sum = sum16(source, 0, source.length) + sum16(destination, 0, destination.length);
        return sum + 6 + tcpLength;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes, with {@code initial} added in. */
    static int checksum(byte[] bytes, int offset, int length, long initial) {
        long sum = initial + sum16(bytes, offset, length);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static long sum16(byte[] bytes, int offset, int length) {
        long sum = 0;
        int i = offset;
        for (; i + 1 < offset + length; i += 2) {
            sum += ((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff);
        }
        if (i < offset + length) {
            sum += (bytes[i] & 0xff) << 8; // an odd byte is padded with zero
        }
        return sum;
    }
}
