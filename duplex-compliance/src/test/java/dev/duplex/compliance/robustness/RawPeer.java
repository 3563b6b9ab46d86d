package dev.duplex.compliance.robustness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written by hand on a plain socket, for peers that misbehave: it builds
 * every frame byte by byte (masked, as a client must, unless told otherwise) rather than with
 * Duplex's own encoder, so a bug shared by our encoder and decoder cannot hide itself. Reads
 * take a deadline, so a test that expects bytes never hangs.
 */
public final class RawPeer implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CONTINUATION = 0x0;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** Long enough never to fire on a healthy loopback run; only a hang reaches it. */
    public static final Duration READ_DEADLINE = Duration.ofSeconds(10);

    /** The RFC 6455 1.3 sample key; the server's answer to it is fixed. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** A frame as read off the wire. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, UTF_8);
        }

        /** The status code of a close frame, or 1005 when it carries none. */
        public int closeCode() {
            assertEquals(CLOSE, opcode, () -> "expected a close frame, got " + this);
            return payload.length < 2 ? 1005 : ByteBuffer.wrap(payload).getShort() & 0xffff;
        }

        @Override
        public String toString() {
            String shown = payload.length <= 32 ? HexFormat.of().formatHex(payload)
                    : HexFormat.of().formatHex(payload, 0, 32) + "...";
            return "Frame[fin=" + fin + ", opcode=" + opcode + ", " + payload.length + " bytes: " + shown + "]";
        }
    }

    /** A TCP connection to the server, nothing sent yet. */
    public static RawPeer open(int port) throws IOException {
        return open(port, 0);
    }

    /**
     * A TCP connection with a receive buffer of about {@code receiveBuffer} bytes (0 for the
     * system's), set before connecting so that the window the server sees is small.
     */
    public static RawPeer open(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_DEADLINE.toMillis());
        socket.setTcpNoDelay(true);
        return new RawPeer(socket);
    }

    /**
     * A peer on a socket the caller has connected, such as a TLS socket whose TLS handshake
     * is done (the catalogue suite runs every row over ws and wss); nothing is sent yet.
     */
    public static RawPeer over(Socket socket) throws IOException {
        return new RawPeer(socket);
    }

    /** Connects and completes the opening handshake at {@code path}. */
    public static RawPeer connect(int port, String path) throws IOException {
        return connect(port, path, 0);
    }

    /** Connects with a small receive buffer and completes the opening handshake. */
    public static RawPeer connect(int port, String path, int receiveBuffer) throws IOException {
        RawPeer peer = open(port, receiveBuffer);
        try {
            peer.send(upgradeRequest(port, path).getBytes(ISO_8859_1));
            peer.expectSwitchingProtocols();
            return peer;
        } catch (IOException | RuntimeException | AssertionError e) {
            peer.close();
            throw e;
        }
    }

    /** A well-formed upgrade request head, ending in its blank line. */
    public static String upgradeRequest(int port, String target) {
        return requestStart(port, target) + "\r\n";
    }

    /** An upgrade request head without its final blank line, so a test can add fields. */
    public static String requestStart(int port, String target) {
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n";
    }

    /** Reads a response head and checks it is a 101 with the right accept key. */
    public void expectSwitchingProtocols() throws IOException {
        String head = readResponseHead();
        if (!head.startsWith("HTTP/1.1 101 ")) {
            fail("expected 101, got: " + head);
        }
        if (!head.toLowerCase().contains("sec-websocket-accept: " + ACCEPT.toLowerCase())) {
            fail("wrong or missing Sec-WebSocket-Accept: " + head);
        }
    }

    /** Reads the status code of the response head; the head is consumed. */
    public int readStatus() throws IOException {
        String head = readResponseHead();
        if (!head.startsWith("HTTP/1.1 ")) {
            fail("not an HTTP/1.1 response: " + head);
        }
        return Integer.parseInt(head.substring(9, 12));
    }

    /** Reads up to and including the blank line that ends a response head. */
    public String readResponseHead() throws IOException {
        long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            setTimeout(deadline);
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream inside a response head: " + head.toString(ISO_8859_1));
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(ISO_8859_1);
    }

    /** Writes bytes as they are. */
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends one masked frame with FIN and RSV bits as given. */
    public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        send(frame(fin, 0, opcode, payload, true));
    }

    /** Sends a whole masked text message in one frame. */
    public void sendText(String text) throws IOException {
        sendFrame(true, TEXT, text.getBytes(UTF_8));
    }

    /** Sends a masked close frame with this code and an empty reason. */
    public void sendClose(int code) throws IOException {
        sendFrame(true, CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
    }

    /**
     * One frame, built by hand (RFC 6455 5.2): FIN, RSV bits (already in place, e.g. 0x40
     * for RSV1), opcode, the shortest length encoding, then the masking key and the masked
     * payload when {@code masked}.
     */
    public static byte[] frame(boolean fin, int rsvBits, int opcode, byte[] payload, boolean masked) {
        ByteBuffer header = header((fin ? 0x80 : 0) | rsvBits | opcode, payload.length, masked);
        int key = masked ? header.getInt(header.limit() - 4) : 0;
        byte[] bytes = new byte[header.remaining() + payload.length];
        header.get(bytes, 0, header.remaining());
        int offset = bytes.length - payload.length;
        for (int i = 0; i < payload.length; i++) {
            byte mask = masked ? (byte) (key >>> (8 * (3 - (i & 3)))) : 0;
            bytes[offset + i] = (byte) (payload[i] ^ mask);
        }
        return bytes;
    }

    /**
     * A frame header announcing {@code length} bytes, in the shortest encoding unless the
     * length needs all 64 bits; with a random masking key at the end when {@code masked}
     * (the key is then also its last four bytes).
     */
    public static ByteBuffer header(int b0, long length, boolean masked) {
        ByteBuffer h = ByteBuffer.allocate(14);
        h.put((byte) b0);
        int maskBit = masked ? 0x80 : 0;
        if (length >= 0 && length <= 125) {
            h.put((byte) (maskBit | (int) length));
        } else if (length >= 0 && length <= 0xffff) {
            h.put((byte) (maskBit | 126)).putShort((short) length);
        } else {
            h.put((byte) (maskBit | 127)).putLong(length); // a negative length sets the top bit
        }
        h.putInt(masked ? ThreadLocalRandom.current().nextInt() : 0);
        h.flip();
        if (!masked) {
            h.limit(h.limit() - 4);
        }
        return h;
    }

    /** The bytes of {@link #header} as an array. */
    public static byte[] headerBytes(int b0, long length, boolean masked) {
        ByteBuffer h = header(b0, length, masked);
        byte[] bytes = new byte[h.remaining()];
        h.get(bytes);
        return bytes;
    }

    /** Reads one frame, failing if none arrives within {@link #READ_DEADLINE}. */
    public Frame readFrame() throws IOException {
        return readFrame(READ_DEADLINE);
    }

    /** Reads one frame, failing if none arrives within {@code timeout}. */
    public Frame readFrame(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        setTimeout(deadline);
        int b0 = in.readUnsignedByte();
        setTimeout(deadline);
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            fail("the server masked a frame (RFC 6455 5.1 forbids it)");
        }
        long length = b1 & 0x7f;
        if (length == 126) {
            setTimeout(deadline);
            length = in.readUnsignedShort();
        } else if (length == 127) {
            setTimeout(deadline);
            length = in.readLong();
        }
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            fail("absurd frame length " + length);
        }
        byte[] payload = new byte[(int) length];
        int read = 0;
        while (read < payload.length) {
            setTimeout(deadline);
            int n = in.read(payload, read, payload.length - read);
            if (n < 0) {
                throw new EOFException("end of stream inside a frame");
            }
            read += n;
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
    }

    /** Reads the next frame and checks it is a close frame; returns its code. */
    public int readCloseCode() throws IOException {
        return readFrame().closeCode();
    }

    /**
     * Reads and discards until the server ends the TCP connection (EOF or reset); fails if
     * it is still open after {@code timeout}. Returns the bytes discarded.
     */
    public long awaitEndOfStream(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[64 * 1024];
        long discarded = 0;
        try {
            while (true) {
                setTimeout(deadline);
                int n = in.read(sink);
                if (n < 0) {
                    return discarded;
                }
                discarded += n;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + timeout.toMillis() + " ms");
        } catch (SocketException reset) {
            return discarded; // a reset ends the connection as surely as a FIN
        }
    }

    /** The underlying socket, for tests that need to look at or stall it. */
    public Socket socket() {
        return socket;
    }

    /** The stream the frames are read from, for tests that read raw bytes. */
    public InputStream input() {
        return in;
    }

    private void setTimeout(long deadlineNanos) throws IOException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("read deadline passed");
        }
        socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
