package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A permessage-deflate client written on a plain socket with the JDK's zlib
 * ({@link Deflater}, {@link Inflater}) and frames built by {@link RawPeer#frame}, so nothing of
 * Duplex's own codec sits on this side of the wire. It sends any offer, reads the RSV bits of
 * every frame the server sends, compresses and inflates whole messages with or without context
 * takeover, and can send whatever broken frame a test needs. Not thread-safe; one per
 * connection.
 */
final class DeflateClient implements AutoCloseable {
    static final Duration READ_DEADLINE = Duration.ofSeconds(10);
    static final int RSV1 = 0x40;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CONTINUATION = 0x0;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;

    /** RFC 7692 7.2.1: the tail a sync flush ends with, which the sender leaves out. */
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private String responseHead;
    private Deflater deflater;
    private Inflater inflater;
    /** What the server's 101 agreed: whether each end resets its window per message. */
    private boolean serverNoContextTakeover;
    private boolean clientNoContextTakeover;

    private DeflateClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = socket.getOutputStream();
    }

    /** A frame as read off the wire, RSV bits included. */
    record WireFrame(boolean fin, int rsv, int opcode, byte[] payload) {
        boolean compressed() {
            return (rsv & RSV1) != 0;
        }

        int closeCode() {
            assertEquals(CLOSE, opcode, () -> "expected a close frame, got " + this);
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        @Override
        public String toString() {
            String shown = payload.length <= 32 ? HexFormat.of().formatHex(payload)
                    : HexFormat.of().formatHex(payload, 0, 32) + "...";
            return "WireFrame[fin=" + fin + ", rsv=" + Integer.toHexString(rsv) + ", opcode=" + opcode
                    + ", " + payload.length + " bytes: " + shown + "]";
        }
    }

    /** A whole message: its payload (inflated), and how its first frame came. */
    record WireMessage(int opcode, boolean compressed, int wireBytes, byte[] payload) {}

    /**
     * Connects and sends an upgrade request with {@code offer} as its
     * {@code Sec-WebSocket-Extensions} value (none when null), then reads the response head.
     * {@link #status()} tells how it went.
     */
    static DeflateClient handshake(int port, String path, String offer) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_DEADLINE.toMillis());
        socket.setTcpNoDelay(true);
        DeflateClient client = new DeflateClient(socket);
        try {
            String request = RawPeer.requestStart(port, path)
                    + (offer == null ? "" : "Sec-WebSocket-Extensions: " + offer + "\r\n") + "\r\n";
            client.out.write(request.getBytes(ISO_8859_1));
            client.out.flush();
            client.readHead();
            return client;
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /** Connects, offers {@code offer}, and checks the answer is a 101. */
    static DeflateClient connect(int port, String path, String offer) throws IOException {
        DeflateClient client = handshake(port, path, offer);
        if (client.status() != 101) {
            client.close();
            fail("expected 101, got: " + client.responseHead);
        }
        return client;
    }

    /** The status of the server's answer. */
    int status() {
        return Integer.parseInt(responseHead.substring(9, 12));
    }

    /** The answer's {@code Sec-WebSocket-Extensions} value, or null when it has none. */
    String extensions() {
        String value = null;
        for (String line : responseHead.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Extensions")) {
                assertTrue(value == null, () -> "Sec-WebSocket-Extensions sent twice: " + responseHead);
                value = line.substring(colon + 1).trim();
            }
        }
        return value;
    }

    // ---------------------------------------------------------------- raw frames

    /** Sends one masked frame, RSV bits as given. */
    void sendFrame(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
        send(RawPeer.frame(fin, rsv, opcode, payload, true));
    }

    /** Writes bytes as they are. */
    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one frame, failing if none arrives within {@link #READ_DEADLINE}. */
    WireFrame readFrame() throws IOException {
        long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
        int b0 = readByte(deadline);
        int b1 = readByte(deadline);
        assertEquals(0, b1 & 0x80, "the server masked a frame (RFC 6455 5.1 forbids it)");
        long length = b1 & 0x7f;
        if (length == 126) {
            length = (readByte(deadline) << 8) | readByte(deadline);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte(deadline);
            }
        }
        if (length < 0 || length > 64 << 20) {
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
        return new WireFrame((b0 & 0x80) != 0, b0 & 0x70, b0 & 0x0f, payload);
    }

    /** Reads the next frame and checks it is a close frame; returns its code. */
    int readCloseCode() throws IOException {
        return readFrame().closeCode();
    }

    // ---------------------------------------------------------------- whole messages

    /**
     * Takes the context-takeover parameters from the server's answer, so that
     * {@link #sendMessage} and {@link #readMessage} reset their windows as agreed.
     */
    DeflateClient agreed() {
        String ext = extensions();
        assertTrue(ext != null && ext.startsWith("permessage-deflate"), () -> "permessage-deflate not agreed: " + responseHead);
        String lower = ext.toLowerCase(Locale.ROOT);
        serverNoContextTakeover = lower.contains("server_no_context_takeover");
        clientNoContextTakeover = lower.contains("client_no_context_takeover");
        return this;
    }

    /** Sends a message in one frame, compressed (RSV1) or as it is. */
    void sendMessage(int opcode, byte[] payload, boolean compress) throws IOException {
        if (!compress) {
            sendFrame(true, 0, opcode, payload);
            return;
        }
        sendFrame(true, RSV1, opcode, deflate(payload));
    }

    /** RFC 7692 7.2.1: DEFLATE with a sync flush, the trailing 00 00 ff ff removed. */
    byte[] deflate(byte[] payload) {
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        byte[] compressed = syncFlush(deflater, payload);
        if (clientNoContextTakeover) {
            deflater.reset();
        }
        return compressed;
    }

    /** One message compressed on its own, as a first message or one without context takeover. */
    static byte[] deflateAlone(byte[] payload) {
        Deflater alone = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            return syncFlush(alone, payload);
        } finally {
            alone.end();
        }
    }

    private static byte[] syncFlush(Deflater deflater, byte[] payload) {
        deflater.setInput(payload);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        do {
            n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
            compressed.write(buffer, 0, n);
        } while (n == buffer.length || !deflater.needsInput());
        byte[] all = compressed.toByteArray();
        if (all.length <= TAIL.length) {
            // RFC 7692 7.2.3.6: the JDK writes nothing for an empty message; 00 stands for it.
            return new byte[] {0};
        }
        return java.util.Arrays.copyOf(all, all.length - TAIL.length);
    }

    /** Reads a whole data message, joining fragments and inflating it when RSV1 is set. */
    WireMessage readMessage() throws IOException {
        WireFrame next = readFrame();
        while (next.opcode() == PING || next.opcode() == 0xA) {
            next = readFrame();
        }
        WireFrame first = next;
        assertTrue(first.opcode() == TEXT || first.opcode() == BINARY, () -> "expected a data frame, got " + first);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(first.payload());
        int wireBytes = first.payload().length;
        WireFrame frame = first;
        while (!frame.fin()) {
            frame = readFrame();
            assertEquals(CONTINUATION, frame.opcode(), "expected a continuation frame");
            assertEquals(0, frame.rsv(), "RFC 7692 6.1: RSV1 only on a message's first frame");
            payload.write(frame.payload());
            wireBytes += frame.payload().length;
        }
        byte[] data = first.compressed() ? inflate(payload.toByteArray()) : payload.toByteArray();
        return new WireMessage(first.opcode(), first.compressed(), wireBytes, data);
    }

    /** RFC 7692 7.2.2: appends the removed tail and inflates. */
    byte[] inflate(byte[] compressed) {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        byte[] input = java.util.Arrays.copyOf(compressed, compressed.length + TAIL.length);
        System.arraycopy(TAIL, 0, input, compressed.length, TAIL.length);
        inflater.setInput(input);
        ByteArrayOutputStream inflated = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            while (true) {
                int n = inflater.inflate(buffer);
                inflated.write(buffer, 0, n);
                if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new AssertionError("the server sent a corrupt deflate stream", e);
        }
        assertFalse(inflater.getRemaining() > 0 && !inflater.finished(), "inflater left input unread");
        if (serverNoContextTakeover || inflater.finished()) {
            inflater.reset();
        }
        return inflated.toByteArray();
    }

    /**
     * The client's side of the close handshake (RFC 6455 7.1.1): sends a close frame with
     * {@code code}, reads the server's, waits for the server to close TCP, then closes the
     * socket. Returns the server's close code.
     */
    int closeHandshake(int code) throws IOException {
        sendFrame(true, 0, CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
        WireFrame frame = readFrame();
        while (frame.opcode() != CLOSE) {
            frame = readFrame();
        }
        awaitEndOfStream(READ_DEADLINE);
        socket.close();
        return frame.closeCode();
    }

    /** Reads and discards until the server closes TCP; fails after {@code timeout}. */
    void awaitEndOfStream(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[64 * 1024];
        try {
            while (true) {
                setTimeout(deadline);
                if (in.read(sink) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + timeout.toMillis() + " ms");
        } catch (SocketException reset) {
            // a reset ends the connection as surely as a FIN
        }
    }

    Socket socket() {
        return socket;
    }

    private void readHead() throws IOException {
        long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = readByte(deadline);
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        responseHead = head.toString(ISO_8859_1);
        if (!responseHead.startsWith("HTTP/1.1 ")) {
            fail("not an HTTP/1.1 response: " + responseHead);
        }
    }

    private int readByte(long deadline) throws IOException {
        setTimeout(deadline);
        int b = in.read();
        if (b < 0) {
            throw new EOFException("end of stream");
        }
        return b;
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
        if (deflater != null) {
            deflater.end();
        }
        if (inflater != null) {
            inflater.end();
        }
        socket.close();
    }
}
