package dev.duplex.compliance.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The conformance suite's WebSocket client: a plain socket, an opening handshake written and
 * checked by hand, and frames from {@link Frame}. It plays the part of Autobahn's fuzzing
 * client: it sends whatever it is told, well formed or not, in one write or chopped into
 * writes of any size, and it holds everything the server sends to the RFC's rules for a
 * server: never masked, no RSV bits, known opcodes, control frames whole and short, lengths
 * minimally encoded, text valid UTF-8.
 *
 * <p>A write that fails is remembered rather than thrown: once a case has sent something the
 * server must reject, the server may close before the rest of the case's bytes are out, and
 * the verdict comes from what is read back. Not thread-safe; one per test.
 */
final class RawWebSocket implements AutoCloseable {
    /** How long one read may wait: a server that does not answer fails the case, never hangs it. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** How long the server has to close TCP once it has sent its close frame. */
    static final Duration CLOSE_TCP_TIMEOUT = Duration.ofSeconds(5);

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_HEAD = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long maskCounter;
    private IOException writeFailure;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code path} on the loopback port and completes the opening handshake. */
    static RawWebSocket open(int port, String path) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true); // a chopped write must reach the server as its own segment
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
        RawWebSocket ws = new RawWebSocket(socket);
        try {
            ws.handshake(port, path);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
        return ws;
    }

    private void handshake(int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        long seed = System.identityHashCode(this) * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < nonce.length; i++) {
            nonce[i] = (byte) (seed >>> (i % 8 * 8) ^ i);
        }
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();

        List<String> lines = readHead();
        assertTrue(lines.getFirst().startsWith("HTTP/1.1 101 "), "status line: " + lines.getFirst());
        String accept = null;
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "upgrade" -> assertEquals("websocket", value.toLowerCase(Locale.ROOT));
                case "connection" -> assertTrue(value.toLowerCase(Locale.ROOT).contains("upgrade"), line);
                case "sec-websocket-accept" -> accept = value;
                case "sec-websocket-extensions" -> fail("no extension was offered, yet the server chose one: " + line);
                default -> { }
            }
        }
        assertEquals(expectedAccept(key), accept, "Sec-WebSocket-Accept (RFC 6455 4.2.2)");
    }

    private List<String> readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (head.size() > MAX_HEAD) {
                fail("handshake response head over " + MAX_HEAD + " bytes");
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return List.of(text.substring(0, text.length() - 4).split("\r\n"));
    }

    /** RFC 6455 4.2.2: base64 of the SHA-1 of the key and the GUID, computed here on its own. */
    private static String expectedAccept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- sending

    /** Masks and concatenates frames as they would go out back to back. */
    byte[] encode(Frame... frames) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            bytes.writeBytes(frame.encode(nextMaskKey()));
        }
        return bytes.toByteArray();
    }

    /** Sends the frames in one write. */
    void send(Frame... frames) {
        write(encode(frames), Integer.MAX_VALUE);
    }

    /** Sends the frames chopped into writes of {@code chop} bytes, as Autobahn's chopsize does. */
    void sendChopped(int chop, Frame... frames) {
        write(encode(frames), chop);
    }

    /** Sends each frame in a write of its own (Autobahn's "frame-wise chops"). */
    void sendFrameByFrame(Frame... frames) {
        for (Frame frame : frames) {
            send(frame);
        }
    }

    /** Writes raw bytes, {@code chop} at a time. */
    void write(byte[] bytes, int chop) {
        if (writeFailure != null) {
            return;
        }
        try {
            for (int offset = 0; offset < bytes.length; offset += chop) {
                out.write(bytes, offset, Math.min(chop, bytes.length - offset));
            }
            out.flush();
        } catch (IOException e) {
            writeFailure = e;
        }
    }

    /** Deterministic keys that still differ frame to frame, so a case replays byte for byte. */
    private int nextMaskKey() {
        long z = (maskCounter++ + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        return (int) (z ^ z >>> 31);
    }

    // ---------------------------------------------------------------- receiving

    /** A frame as it arrived from the server. */
    record WireFrame(boolean fin, int opcode, byte[] payload) {}

    /**
     * Reads one frame and checks it against the RFC's rules for what a server sends; returns
     * null when the stream ends cleanly between frames.
     */
    WireFrame readFrame() throws IOException {
        int b0 = readByteOrEnd();
        if (b0 < 0) {
            return null;
        }
        int b1 = readByte();
        boolean fin = (b0 & 0x80) != 0;
        int rsv = (b0 >>> 4) & 7;
        int opcode = b0 & 0x0f;
        boolean masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7f;
        assertFalse(masked, "a server frame was masked (RFC 6455 5.1)");
        assertEquals(0, rsv, "RSV bits on a server frame with no extension (RFC 6455 5.2)");
        assertTrue(opcode <= Frame.BINARY || opcode >= Frame.CLOSE && opcode <= Frame.PONG,
                "server sent reserved opcode " + opcode);
        if (length == 126) {
            length = readByte() << 8 | readByte();
            assertTrue(length >= 126, "16-bit length " + length + " not minimal (RFC 6455 5.2)");
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = length << 8 | readByte();
            }
            assertTrue(length > 0xffff, "64-bit length " + length + " not minimal (RFC 6455 5.2)");
            assertTrue(length <= Integer.MAX_VALUE - 8, "server frame of " + length + " bytes");
        }
        if (opcode >= Frame.CLOSE) {
            assertTrue(fin, "fragmented control frame from the server (RFC 6455 5.5)");
            assertTrue(length <= 125, "control frame of " + length + " bytes from the server (RFC 6455 5.5)");
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            fail("connection ended inside a frame: " + payload.length + " of " + length + " payload bytes");
        }
        return new WireFrame(fin, opcode, payload);
    }

    /**
     * Reads the next event: a control frame, or a whole message with its frames joined. Fails
     * the test if the connection ends first or nothing comes within {@link #READ_TIMEOUT}.
     */
    Received next() throws IOException {
        ByteArrayOutputStream message = null;
        int messageOpcode = -1;
        while (true) {
            WireFrame frame;
            try {
                frame = readFrame();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("nothing from the server within " + READ_TIMEOUT.toSeconds() + " s" + writeNote(), e);
            } catch (SocketException e) {
                throw new AssertionError("connection lost: " + e.getMessage() + writeNote(), e);
            }
            if (frame == null) {
                fail("the server closed TCP without (another) close frame" + writeNote());
            }
            switch (frame.opcode()) {
                case Frame.PING -> { return new Received(Received.Kind.PING, frame.payload()); }
                case Frame.PONG -> { return new Received(Received.Kind.PONG, frame.payload()); }
                case Frame.CLOSE -> {
                    checkClosePayload(frame.payload());
                    return new Received(Received.Kind.CLOSE, frame.payload());
                }
                case Frame.CONTINUATION -> assertTrue(message != null, "server sent a continuation with no message open");
                default -> {
                    assertTrue(message == null, "server started a message inside another");
                    message = new ByteArrayOutputStream();
                    messageOpcode = frame.opcode();
                }
            }
            message.writeBytes(frame.payload());
            if (frame.fin()) {
                byte[] data = message.toByteArray();
                if (messageOpcode == Frame.TEXT) {
                    assertValidUtf8(data, "text message from the server");
                    return Received.text(data);
                }
                return Received.binary(data);
            }
        }
    }

    private static void checkClosePayload(byte[] body) {
        assertTrue(body.length != 1, "close frame with a 1-byte body from the server (RFC 6455 5.5.1)");
        if (body.length >= 2) {
            assertValidUtf8(Arrays.copyOfRange(body, 2, body.length), "close reason from the server");
        }
    }

    private static void assertValidUtf8(byte[] bytes, String what) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            fail(what + " is not valid UTF-8");
        }
    }

    // ---------------------------------------------------------------- verdicts

    /** The next events must be exactly these, in this order. */
    void expect(Received... events) throws IOException {
        for (int i = 0; i < events.length; i++) {
            assertEquals(events[i], next(), "event " + (i + 1) + " of " + events.length + writeNote());
        }
    }

    /**
     * Ends a case that should have gone well: nothing else may arrive before the server echoes
     * our close with 1000, and then the server must close TCP.
     */
    void closeNormally() throws IOException {
        send(Frame.close(1000));
        Received reply = next();
        assertEquals(Received.Kind.CLOSE, reply.kind(), "expected the close reply, got " + reply);
        assertEquals(1000, reply.closeCode(), "close reply " + reply);
        expectTcpClosed();
    }

    /**
     * Ends a case that the server must fail: the next thing to arrive is its close frame with
     * exactly {@code code}, and then the server closes TCP without waiting for our reply
     * (RFC 6455 7.1.7). We send no reply, so the server's own close is what is tested.
     */
    void expectFailure(int code) throws IOException {
        Received close = next();
        assertEquals(Received.Kind.CLOSE, close.kind(), "expected a close frame with " + code + ", got " + close);
        assertEquals(code, close.closeCode(), "close code in " + close);
        expectTcpClosed();
    }

    /**
     * The server has sent its close frame; it must now close TCP (RFC 6455 7.1.1): a clean end
     * of stream within {@link #CLOSE_TCP_TIMEOUT}, with nothing more before it, and not a reset.
     */
    void expectTcpClosed() throws IOException {
        socket.setSoTimeout((int) CLOSE_TCP_TIMEOUT.toMillis());
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close TCP within " + CLOSE_TCP_TIMEOUT.toSeconds()
                    + " s of its close frame", e);
        } catch (SocketException e) {
            throw new AssertionError("the server reset TCP instead of closing it: " + e.getMessage(), e);
        }
        assertEquals(-1, b, "the server sent bytes after its close frame");
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            fail("connection ended inside a frame header");
        }
        return b;
    }

    private int readByteOrEnd() throws IOException {
        return in.read();
    }

    private String writeNote() {
        return writeFailure == null ? "" : " (an earlier write failed: " + writeFailure.getMessage() + ")";
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
