package dev.duplex.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.client.FakeServer.Frame;
import dev.duplex.client.FakeServer.Request;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An open client connection (RFC 6455 5–7): what the client sends, and what it makes of a
 * server's frames, faults included (rows C2, C8, E2), against the hand-written fake server and
 * against Duplex's own server.
 */
class ClientConnectionTest {
    private static final long TIMEOUT = RecordingHandler.TIMEOUT_SECONDS;

    private static WebSocket connect(FakeServer server, RecordingHandler handler) throws Exception {
        return WebSocketClient.create().connect(server.uri("/"), handler).get(TIMEOUT, TimeUnit.SECONDS);
    }

    @Test
    void clientFramesAreMaskedAndCarryTheMessage() throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            frames.add(peer.readFrame());
            frames.add(peer.readFrame());
        })) {
            WebSocket socket = connect(server, new RecordingHandler());
            socket.sendText("héllo").get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendBinary(new byte[] {1, 2, 3}).get(TIMEOUT, TimeUnit.SECONDS);
            Frame text = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            Frame binary = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            assertTrue(text.masked() && text.fin());
            assertEquals(0x1, text.opcode());
            assertEquals("héllo", text.text());
            assertTrue(binary.masked());
            assertEquals(0x2, binary.opcode());
            assertArrayEquals(new byte[] {1, 2, 3}, binary.payload());
            socket.abort();
        }
    }

    @Test
    void B8_theCallersBufferCanBeReusedAsSoonAsSendReturns() throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            frames.add(peer.readFrame());
        })) {
            WebSocket socket = connect(server, new RecordingHandler());
            byte[] reused = new byte[100_000];
            java.util.Arrays.fill(reused, (byte) 'a');
            ByteBuffer buffer = ByteBuffer.wrap(reused);
            var sent = socket.sendBinary(buffer);
            java.util.Arrays.fill(reused, (byte) 'b'); // before the write may have happened
            sent.get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(0, buffer.position(), "the caller's buffer was consumed");
            byte[] expected = new byte[100_000];
            java.util.Arrays.fill(expected, (byte) 'a');
            assertArrayEquals(expected, frames.poll(TIMEOUT, TimeUnit.SECONDS).payload());
            socket.abort();
        }
    }

    @Test
    void C2_aMaskedFrameFromTheServerFailsTheConnectionWith1002() throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            // RFC 6455 5.7: a masked "Hello", which a server must never send (RFC 6455 5.1).
            peer.write(new byte[] {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58});
            frames.add(peer.readFrame());
            peer.socket.close(); // RFC 6455 7.1.1: the server closes TCP once the close frame is in
        })) {
            RecordingHandler handler = new RecordingHandler();
            connect(server, handler);
            assertEquals(1002, handler.awaitClose().code());
            Frame close = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(0x8, close.opcode());
            assertEquals(1002, (close.payload()[0] & 0xFF) << 8 | (close.payload()[1] & 0xFF));
            assertTrue(handler.messages.isEmpty(), "the masked frame was not delivered");
        }
    }

    @Test
    void aServerThatDropsTcpGives1006() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest(), "", FakeServer.textFrame("last words"));
            peer.socket.close();
        })) {
            RecordingHandler handler = new RecordingHandler();
            connect(server, handler);
            assertEquals(new Message.Text("last words"), handler.nextMessage());
            assertEquals(1006, handler.awaitClose().code());
        }
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {1000, 1001, 1008, 4000})
    void aServerInitiatedCloseIsEchoedAndReported(int code) throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest(), "", FakeServer.closeFrame(code, "bye " + code));
            frames.add(peer.readFrame());
            peer.socket.close(); // RFC 6455 7.1.1: the server closes TCP first
        })) {
            RecordingHandler handler = new RecordingHandler();
            connect(server, handler);
            assertEquals(new RecordingHandler.Close(code, "bye " + code), handler.awaitClose());
            Frame reply = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(0x8, reply.opcode());
            assertTrue(reply.masked());
            assertEquals(code, (reply.payload()[0] & 0xFF) << 8 | (reply.payload()[1] & 0xFF), "RFC 6455 5.5.1 echoes the code");
        }
    }

    @Test
    void E2_anEmptyCloseFromTheServerIsReportedAs1005() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest(), "", FakeServer.frame(true, 0x8, new byte[0]));
            peer.readFrame();
            peer.socket.close();
        })) {
            RecordingHandler handler = new RecordingHandler();
            connect(server, handler);
            assertEquals(1005, handler.awaitClose().code());
        }
    }

    @Test
    void C8_aFragmentedMessageWithAPingBetweenItsFragmentsIsReassembledAndThePingAnswered() throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            peer.write(FakeServer.concat(
                    FakeServer.frame(false, 0x1, "frag".getBytes(StandardCharsets.UTF_8)),
                    FakeServer.frame(true, 0x9, "are you there".getBytes(StandardCharsets.UTF_8)),
                    FakeServer.frame(false, 0x0, "ment".getBytes(StandardCharsets.UTF_8)),
                    FakeServer.frame(true, 0x0, "ed".getBytes(StandardCharsets.UTF_8))));
            frames.add(peer.readFrame());
        })) {
            RecordingHandler handler = new RecordingHandler();
            WebSocket socket = connect(server, handler);
            assertEquals(new Message.Text("fragmented"), handler.nextMessage());
            Frame pong = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(0xA, pong.opcode());
            assertTrue(pong.masked());
            assertEquals("are you there", pong.text());
            socket.abort();
        }
    }

    @Test
    void aClientInitiatedCloseCompletesWhenTheServerAnswersAndDropsTcp() throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            Frame close = peer.readFrame();
            frames.add(close);
            peer.write(FakeServer.frame(true, 0x8, close.payload()));
            peer.socket.close();
        })) {
            RecordingHandler handler = new RecordingHandler();
            WebSocket socket = connect(server, handler);
            socket.close(4001, "done here");
            Frame close = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("done here", new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8));
            assertEquals(new RecordingHandler.Close(4001, "done here"), handler.awaitClose());
            assertTrue(!socket.isOpen());
        }
    }

    @Test
    void aServerThatNeverAnswersTheCloseIsAbortedAfterTheCloseTimeout() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            peer.readFrame();
            peer.readsEndOfStream(); // the client gives up and closes
        })) {
            RecordingHandler handler = new RecordingHandler();
            ClientOptions options = ClientOptions.builder().connectionOptions(ConnectionOptions.builder()
                    .closeTimeout(Duration.ofMillis(300)).build()).build();
            WebSocket socket = WebSocketClient.create(options).connect(server.uri("/"), handler).get(TIMEOUT, TimeUnit.SECONDS);
            socket.close();
            assertEquals(1006, handler.awaitClose().code());
        }
    }

    // ---------------------------------------------------------------- against Duplex's server

    @Test
    void againstDuplexServer_subprotocolHeadersAndEchoAgree() throws Exception {
        CompletableFuture<String> authorization = new CompletableFuture<>();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket socket) {
                authorization.complete(socket.handshake().headers().first("Authorization").orElse("none"));
            }

            @Override
            public void onMessage(WebSocket socket, Message message) {
                socket.send(message);
            }
        };
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/echo", echo, List.of("chat.v2")).build().start();
        try {
            RecordingHandler handler = new RecordingHandler();
            ClientOptions options = ClientOptions.builder().header("Authorization", "Bearer abc")
                    .subprotocol("chat.v1").subprotocol("chat.v2").build();
            WebSocket socket = WebSocketClient.create(options)
                    .connect(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/echo"), handler)
                    .get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("chat.v2", socket.handshake().selectedSubprotocol().orElseThrow());
            assertEquals("Bearer abc", authorization.get(TIMEOUT, TimeUnit.SECONDS));
            socket.sendText("ping?");
            socket.sendBinary(ByteBuffer.wrap(new byte[] {9, 8, 7}));
            assertEquals(new Message.Text("ping?"), handler.nextMessage());
            assertArrayEquals(new byte[] {9, 8, 7}, ((Message.Binary) handler.nextMessage()).data());
            socket.close(1000, "thanks").get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(1000, handler.awaitClose().code());
            assertTrue(handler.errors.isEmpty(), handler.errors::toString);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void whenTheServerShutsDownTheClientSees1001() throws Exception {
        RecordingHandler serverSide = new RecordingHandler();
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/echo", serverSide).build().start();
        RecordingHandler handler = new RecordingHandler();
        WebSocketClient.create().connect(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/echo"), handler)
                .get(TIMEOUT, TimeUnit.SECONDS);
        serverSide.opened.get(TIMEOUT, TimeUnit.SECONDS); // the server counts it as open, not handshaking
        server.stop(Duration.ofSeconds(2));
        assertEquals(1001, handler.awaitClose().code());
    }

    @Test
    void sendsAfterCloseFailDeterministically() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            peer.readFrame();
            peer.readsEndOfStream();
        })) {
            WebSocket socket = connect(server, new RecordingHandler());
            socket.close();
            CompletableFuture<Void> late = socket.sendText("too late");
            assertTrue(late.isCompletedExceptionally());
            socket.abort();
        }
    }
}
