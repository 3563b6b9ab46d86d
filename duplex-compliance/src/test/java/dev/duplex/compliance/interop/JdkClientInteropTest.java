package dev.duplex.compliance.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.ReturnsToBaseline;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDK's own WebSocket client ({@code java.net.http.WebSocket}, an implementation written
 * independently of ours) against the Duplex server over loopback. Written against and run
 * with JDK 25.0.3 (Temurin-25.0.3+9); the project compiles for release 21, whose client
 * behaves the same in everything checked here. The running version is printed at the start.
 *
 * <p>Each test opens its own connection and tags it with an {@code X-Test} header, so the
 * server-side events of that connection can be told apart from the others.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class JdkClientInteropTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final int ONE_MIB = 1 << 20;
    private static final String TAG = "X-Test";

    /** What the server saw on one connection. */
    static final class ServerSide {
        final CompletableFuture<dev.duplex.WebSocket> opened = new CompletableFuture<>();
        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<Closed> closed = new CompletableFuture<>();
        final AtomicInteger closeCalls = new AtomicInteger();
    }

    record Closed(int code, String reason) {}

    private static final Map<String, ServerSide> sides = new ConcurrentHashMap<>();
    private static WebSocketServer server;
    private static HttpClient client;
    private String tag;

    @BeforeAll
    static void start() {
        System.out.println("JDK WebSocket client of " + Runtime.version());
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onOpen(dev.duplex.WebSocket socket) {
                side(socket).opened.complete(socket);
            }

            @Override
            public void onMessage(dev.duplex.WebSocket socket, Message message) {
                side(socket).messages.add(message);
                socket.send(message);
            }

            @Override
            public void onPong(dev.duplex.WebSocket socket, byte[] payload) {
                side(socket).pongs.add(payload);
            }

            @Override
            public void onClose(dev.duplex.WebSocket socket, int code, String reason) {
                ServerSide side = side(socket);
                side.closeCalls.incrementAndGet();
                side.closed.complete(new Closed(code, reason));
            }

            private ServerSide side(dev.duplex.WebSocket socket) {
                String tag = socket.handshake().headers().first(TAG).orElse("untagged");
                return sides.computeIfAbsent(tag, t -> new ServerSide());
            }
        };
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder()
                        .maxMessageSize(2 * ONE_MIB).outboundHardLimit(8 * ONE_MIB).build())
                .route("/echo", echo, List.of("chat.v2", "chat.v1"))
                .build().start();
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop(Duration.ofSeconds(5));
    }

    @BeforeEach
    void tag(TestInfo info) {
        tag = info.getDisplayName() + "#" + System.nanoTime();
    }

    // ---------------------------------------------------------------- messages

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 125, 126, 65535, 65536, ONE_MIB})
    void textOfEachLengthEncodingComesBackWhole(int bytes) throws Exception {
        Client c = connect();
        String text = textOfUtf8Length(bytes);
        c.ws.sendText(text, true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        assertEquals(text, c.nextMessage(), "echo of " + bytes + " bytes of text");
        assertEquals(new Message.Text(text), serverSide().messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        c.closeNormally();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 125, 126, 65535, 65536, ONE_MIB})
    void binaryOfEachLengthEncodingComesBackWhole(int bytes) throws Exception {
        Client c = connect();
        byte[] data = pattern(bytes);
        c.ws.sendBinary(ByteBuffer.wrap(data), true).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        assertArrayEquals(data, (byte[]) c.nextMessage(), "echo of " + bytes + " bytes of binary");
        c.closeNormally();
    }

    @Test
    void fragmentedTextIsDeliveredToTheHandlerWholeAndEchoed() throws Exception {
        Client c = connect();
        String[] parts = {"Hello, ", "wörld ", "€ 𝄞", ""};
        for (int i = 0; i < parts.length; i++) {
            c.ws.sendText(parts[i], i == parts.length - 1).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }

        String whole = String.join("", parts);
        Message received = serverSide().messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(new Message.Text(whole), received, "the handler gets one message, not fragments");
        assertEquals(whole, c.nextMessage());
        assertTrue(serverSide().messages.isEmpty(), "one message, delivered once");
        c.closeNormally();
    }

    @Test
    void fragmentedBinaryIsDeliveredToTheHandlerWholeAndEchoed() throws Exception {
        Client c = connect();
        byte[] data = pattern(100_000);
        int[] cuts = {0, 1, 70_000, 99_999, 100_000};
        for (int i = 0; i + 1 < cuts.length; i++) {
            ByteBuffer part = ByteBuffer.wrap(data, cuts[i], cuts[i + 1] - cuts[i]);
            c.ws.sendBinary(part, i + 2 == cuts.length).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }

        Message received = serverSide().messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertArrayEquals(data, assertInstanceOf(Message.Binary.class, received).data());
        assertArrayEquals(data, (byte[]) c.nextMessage());
        c.closeNormally();
    }

    // ---------------------------------------------------------------- ping and pong

    @Test
    void clientPingIsAnsweredWithItsPayload() throws Exception {
        Client c = connect();
        byte[] payload = "are you there?".getBytes(UTF_8);
        c.ws.sendPing(ByteBuffer.wrap(payload)).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        byte[] pong = c.pongs.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(pong, "no pong reached the JDK client");
        assertArrayEquals(payload, pong);
        c.closeNormally();
    }

    @Test
    void serverPingReachesTheClientWhichAnswers() throws Exception {
        Client c = connect();
        dev.duplex.WebSocket serverEnd = serverSide().opened.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        byte[] payload = {0, 1, 2, (byte) 0xff};
        serverEnd.ping(ByteBuffer.wrap(payload)).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        byte[] ping = c.pings.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(ping, "the server's ping did not reach the JDK client");
        assertArrayEquals(payload, ping);
        byte[] pong = serverSide().pongs.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(pong, "the JDK client's pong did not reach the handler");
        assertArrayEquals(payload, pong);
        c.closeNormally();
    }

    // ---------------------------------------------------------------- close

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 4000})
    void clientCloseCodeAndReasonReachTheHandlerAndTheCodeIsEchoed(int code) throws Exception {
        Client c = connect();
        String reason = "leaving with " + code;
        c.ws.sendClose(code, reason).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        Closed atServer = serverSide().closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(new Closed(code, reason), atServer);
        Closed atClient = c.closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(code, atClient.code(), "RFC 6455 5.5.1: the close reply echoes the code");
        assertEquals(1, serverSide().closeCalls.get(), "onClose exactly once");
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 1008, 4000})
    void serverCloseCodeAndReasonReachTheClient(int code) throws Exception {
        Client c = connect();
        dev.duplex.WebSocket serverEnd = serverSide().opened.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        String reason = "server says " + code;
        serverEnd.close(code, reason);

        assertEquals(new Closed(code, reason), c.closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        // The JDK answers once its onClose returns; the handler then hears the answer.
        Closed atServer = serverSide().closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(code, atServer.code(), "the JDK client echoes the code; the handler reports it");
        assertEquals(1, serverSide().closeCalls.get(), "onClose exactly once");
    }

    // ---------------------------------------------------------------- subprotocols

    @Test
    void subprotocolIsNegotiatedAndReportedOnBothSides() throws Exception {
        // The client prefers v1; the server's own order (v2 first) decides, as documented.
        Client c = connect("chat.v1", "chat.v2", "other");
        dev.duplex.WebSocket serverEnd = serverSide().opened.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        assertEquals("chat.v2", c.ws.getSubprotocol());
        assertEquals("chat.v2", serverEnd.handshake().subprotocol());
        c.closeNormally();
    }

    @Test
    void noSubprotocolWhenTheClientOffersNoneTheServerSpeaks() throws Exception {
        Client c = connect("mqtt");
        dev.duplex.WebSocket serverEnd = serverSide().opened.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

        assertEquals("", c.ws.getSubprotocol(), "the JDK reports no subprotocol as the empty string");
        assertNull(serverEnd.handshake().subprotocol());
        c.closeNormally();
    }

    // ---------------------------------------------------------------- the client side

    private ServerSide serverSide() {
        return sides.computeIfAbsent(tag, t -> new ServerSide());
    }

    private Client connect(String... subprotocols) throws Exception {
        Client listener = new Client();
        WebSocket.Builder builder = client.newWebSocketBuilder()
                .connectTimeout(DEADLINE)
                .header(TAG, tag);
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        listener.ws = builder.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), listener)
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return listener;
    }

    /** A JDK listener that joins message parts and records everything else it hears. */
    static final class Client implements WebSocket.Listener {
        WebSocket ws;
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> pings = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<Closed> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            binary.writeBytes(bytes(data));
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.add(bytes(message));
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongs.add(bytes(message));
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
            messages.add(error);
        }

        /** The next whole message: a String or a byte[]. */
        Object nextMessage() throws Exception {
            Object m = messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(m, "no message reached the JDK client");
            if (m instanceof Throwable t) {
                throw new AssertionError("the JDK client failed", t);
            }
            return m;
        }

        /** Closes with 1000 and waits for the server's answer. */
        void closeNormally() throws Exception {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(WebSocket.NORMAL_CLOSURE, closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).code());
        }

        private static byte[] bytes(ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            return b;
        }
    }

    // ---------------------------------------------------------------- payloads

    /** Text of exactly {@code bytes} UTF-8 bytes, mixing 1- to 4-byte characters. */
    static String textOfUtf8Length(int bytes) {
        String[] cycle = {"a", "é", "€", "𝄞", "z"};
        StringBuilder sb = new StringBuilder();
        int used = 0;
        for (int i = 0; ; i++) {
            String s = cycle[i % cycle.length];
            int n = s.getBytes(UTF_8).length;
            if (used + n > bytes) {
                break;
            }
            sb.append(s);
            used += n;
        }
        sb.append("x".repeat(bytes - used));
        return sb.toString();
    }

    static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }
}
