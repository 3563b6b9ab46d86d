package dev.duplex.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientMetrics;
import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.HandshakeFailedException;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.Message;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.ServerLimits;
import dev.duplex.ServerMetrics;
import dev.duplex.TlsOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketMetrics.Side;
import dev.duplex.WebSocketServer;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The counters of {@link ServerMetrics} and {@link ClientMetrics} against a scripted session
 * over real sockets on loopback: each figure must equal what the test did, byte for byte.
 */
class MetricsTest {
    private static final long TIMEOUT_SECONDS = 10;
    /** No keepalive pings, so the only pings counted are the test's own. */
    private static final ConnectionOptions NO_KEEPALIVE = ConnectionOptions.builder().pingInterval(Duration.ZERO).build();

    /** Echoes every message; "close-me" makes the server close with 4002. */
    private static final WebSocketHandler ECHO = new WebSocketHandler() {
        @Override
        public void onMessage(WebSocket socket, Message message) {
            if (message instanceof Message.Text t && t.text().equals("close-me")) {
                socket.close(4002, "");
            } else {
                socket.send(message);
            }
        }
    };

    private static WebSocketServer.Builder server() {
        return WebSocketServer.builder().host("127.0.0.1").port(0).connectionOptions(NO_KEEPALIVE)
                .route("/echo", ECHO)
                .handshakeInterceptor(request -> request.headers().contains("X-Deny")
                        ? HandshakeInterceptor.Decision.reject(403) : HandshakeInterceptor.Decision.accept());
    }

    private static WebSocketClient client(String... header) {
        ClientOptions.Builder b = ClientOptions.builder().connectionOptions(NO_KEEPALIVE);
        if (header.length == 2) {
            b.header(header[0], header[1]);
        }
        return WebSocketClient.create(b.build());
    }

    /** Records what a client connection receives and how it ended. */
    private static final class Peer implements WebSocketHandler {
        final List<Message> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public void onMessage(WebSocket socket, Message message) {
            messages.add(message);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            closed.complete(code);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + TIMEOUT_SECONDS + " s: " + what);
            }
            Thread.sleep(5); // polling interval only: the condition is what the test waits for
        }
    }

    private static long total(Map<Integer, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void aScriptedSessionIsCountedExactly() throws Exception {
        try (WebSocketServer server = server().build().start()) {
            URI echo = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
            WebSocketClient client = client();

            // K = 3 refused handshakes: two by the interceptor (403), one on no route (404).
            WebSocketClient denied = client("X-Deny", "1");
            for (int i = 0; i < 2; i++) {
                assertRefused(403, denied.connect(echo, new Peer()));
            }
            assertRefused(404, client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/nowhere"), new Peer()));

            // N = 3 connections, M = 4 messages each: two texts and two binaries of known sizes.
            int[] textSizes = {5, 100};
            int[] binarySizes = {1, 300}; // 300 takes the 16-bit length: 4 header bytes, 8 masked
            List<WebSocket> sockets = new ArrayList<>();
            List<Peer> peers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                Peer peer = new Peer();
                peers.add(peer);
                sockets.add(client.connect(echo, peer).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            await("three connections open on the server", () -> server.metrics().openConnections() == 3);
            // Counted as each connection's read loop starts, which may be just after its future completes.
            await("three connections open on the client", () -> client.metrics().openConnections() == 3);
            long messageWireIn = 0;   // the server's view: masked client frames
            long messageWireOut = 0;  // unmasked echoes
            long payload = 0;
            for (int c = 0; c < 3; c++) {
                WebSocket socket = sockets.get(c);
                for (int size : textSizes) {
                    socket.sendText("x".repeat(size)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    messageWireIn += 2 + 4 + size;
                    messageWireOut += 2 + size;
                    payload += size;
                }
                for (int size : binarySizes) {
                    socket.sendBinary(ByteBuffer.allocate(size)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    int extended = size > 125 ? 2 : 0;
                    messageWireIn += 2 + extended + 4 + size;
                    messageWireOut += 2 + extended + size;
                    payload += size;
                }
            }
            for (Peer peer : peers) {
                await("four echoes", () -> peer.messages.size() == 4);
            }
            // One ping with a 1-byte payload, answered by a pong.
            sockets.get(0).ping(ByteBuffer.wrap(new byte[] {'p'})).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long pingWire = 2 + 4 + 1;
            long pongWire = 2 + 1;

            // Closes: the client with 1000 and with 4001 "bye"; the server with 4002.
            sockets.get(0).close(1000, "");
            sockets.get(1).close(4001, "bye");
            sockets.get(2).sendText("close-me");
            for (Peer peer : peers) {
                peer.closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            long closeWireIn = (2 + 4 + 2) + (2 + 4 + 2 + 3) + (2 + 4 + 2); // two closes, one echo
            long closeWireOut = (2 + 2) * 3; // two echoes (code only), one close
            long closeMeWire = 2 + 4 + "close-me".length();

            ServerMetrics s = server.metrics();
            await("three closes on the server", () -> total(s.closes(Side.LOCAL)) + total(s.closes(Side.REMOTE)) == 3);
            await("no connection open on the server", () -> s.openConnections() == 0);
            assertEquals(3, s.handshakesAccepted());
            assertEquals(Map.of(403, 2L, 404, 1L), s.handshakesRefused());
            assertEquals(Map.of(), s.capRefusals());
            assertEquals(0, s.tlsHandshakeFailures());
            assertEquals(3 * 2 + 1, s.textMessagesIn(), "two texts per connection, and close-me");
            assertEquals(3 * 2, s.binaryMessagesIn());
            assertEquals(3 * 2, s.textMessagesOut());
            assertEquals(3 * 2, s.binaryMessagesOut());
            assertEquals(payload + "close-me".length(), s.payloadBytesIn());
            assertEquals(payload, s.payloadBytesOut());
            assertEquals(messageWireIn + pingWire + closeMeWire + closeWireIn, s.wireBytesIn());
            assertEquals(messageWireOut + pongWire + closeWireOut, s.wireBytesOut());
            assertEquals(Map.of(1000, 1L, 4001, 1L), s.closes(Side.REMOTE));
            assertEquals(Map.of(4002, 1L), s.closes(Side.LOCAL));
            assertEquals(0, s.pingsSent());
            assertEquals(0, s.pongsMissed());
            assertEquals(0, s.deflatePayloadBytesIn() + s.deflateWireBytesIn() + s.deflateWireBytesOut());
            assertEquals(0, s.queuedBytes());
            assertEquals(0, s.maxQueuedBytes());
            assertEquals(0, s.rateLimitPauses() + s.rateLimitCloses());
            assertTrue(s.accepting());

            // The client saw the same conversation from the other end.
            ClientMetrics c = client.metrics();
            await("three closes on the client", () -> c.openConnections() == 0);
            assertEquals(3, c.handshakesSucceeded());
            assertEquals(1, c.handshakesFailed(), "the 404");
            assertEquals(2, denied.metrics().handshakesFailed());
            assertEquals(0, denied.metrics().handshakesSucceeded());
            assertEquals(s.wireBytesIn(), c.wireBytesOut());
            assertEquals(s.wireBytesOut(), c.wireBytesIn());
            assertEquals(s.payloadBytesIn(), c.payloadBytesOut());
            assertEquals(s.payloadBytesOut(), c.payloadBytesIn());
            assertEquals(s.textMessagesIn(), c.textMessagesOut());
            assertEquals(s.binaryMessagesOut(), c.binaryMessagesIn());
            assertEquals(1, c.pingsSent());
            assertEquals(Map.of(1000, 1L, 4001, 1L), c.closes(Side.LOCAL));
            assertEquals(Map.of(4002, 1L), c.closes(Side.REMOTE));
        }
    }

    private static void assertRefused(int status, CompletableFuture<WebSocket> connecting) throws Exception {
        try {
            connecting.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("the handshake went through; expected " + status);
        } catch (ExecutionException e) {
            HandshakeFailedException failed = (HandshakeFailedException) e.getCause();
            assertEquals(status, failed.status());
        }
    }

    @Test
    void aConnectionCapRefusalIsCountedByStatus() throws Exception {
        try (WebSocketServer server = server().limits(ServerLimits.builder().maxConnections(1).build()).build().start()) {
            URI echo = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
            WebSocketClient client = client();
            WebSocket first = client.connect(echo, new Peer()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertRefused(503, client.connect(echo, new Peer()));
            assertEquals(Map.of(503, 1L), server.metrics().capRefusals());
            assertEquals(Map.of(503, 1L), server.metrics().handshakesRefused());
            assertEquals(1, server.metrics().handshakesAccepted());
            first.close(1000, "");
        }
    }

    @Test
    void compressedTrafficIsCountedApart() throws Exception {
        try (WebSocketServer server = server().compression(CompressionOptions.ENABLED).build().start()) {
            URI echo = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
            WebSocketClient client = client();
            Peer peer = new Peer();
            WebSocket socket = client.connect(echo, peer).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String text = "hello ".repeat(1000);
            socket.sendText(text).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            await("the echo", () -> peer.messages.size() == 1);
            ServerMetrics s = server.metrics();
            assertEquals(text.length(), s.deflatePayloadBytesIn());
            assertEquals(text.length(), s.deflatePayloadBytesOut());
            assertEquals(s.wireBytesIn(), s.deflateWireBytesIn());
            assertTrue(s.deflateWireBytesOut() < text.length() / 10,
                    "6000 repetitive bytes went out as " + s.deflateWireBytesOut());
            assertEquals(s.deflateWireBytesOut(), client.metrics().deflateWireBytesIn());
            socket.close(1000, "");
        }
    }

    @Test
    void countersHoldUnder100ConcurrentConnections() throws Exception {
        int connections = 100;
        int inFlight = 16;
        Duration sending = Duration.ofSeconds(2);
        try (WebSocketServer server = server().build().start()) {
            URI echo = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
            WebSocketClient client = client();
            List<CompletableFuture<long[]>> results = new ArrayList<>();
            long end = System.nanoTime() + sending.toNanos();
            for (int i = 0; i < connections; i++) {
                CompletableFuture<long[]> result = new CompletableFuture<>();
                results.add(result);
                Thread.ofVirtual().start(() -> {
                    try {
                        result.complete(sendFor(client, echo, inFlight, end));
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                });
            }
            long sent = 0;
            long received = 0;
            for (CompletableFuture<long[]> r : results) {
                long[] counts = r.get(TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
                sent += counts[0];
                received += counts[1];
            }
            assertEquals(sent, received, "every message came back");
            assertTrue(sent > connections, "too little traffic to test anything: " + sent);
            ServerMetrics s = server.metrics();
            long expected = sent;
            await("every close counted", () -> total(s.closes(Side.REMOTE)) == connections);
            assertEquals(expected, s.textMessagesIn());
            assertEquals(expected, s.textMessagesOut());
            assertEquals(expected * 32, s.payloadBytesIn());
            assertEquals(expected * 32, s.payloadBytesOut());
            assertEquals(expected * (2 + 4 + 32) + connections * (2 + 4 + 2), s.wireBytesIn());
            assertEquals(connections, s.handshakesAccepted());
            assertEquals(Map.of(1000, (long) connections), s.closes(Side.REMOTE));
            await("no connection open on the server", () -> s.openConnections() == 0);
            ClientMetrics c = client.metrics();
            await("every client close counted", () -> c.openConnections() == 0);
            assertEquals(expected, c.textMessagesOut());
            assertEquals(expected, c.textMessagesIn());
            assertEquals(s.wireBytesIn(), c.wireBytesOut());
            assertEquals(s.wireBytesOut(), c.wireBytesIn());
        }
    }

    @Test
    void aRateLimitPausesThenCloses() throws Exception {
        ConnectionOptions limited = ConnectionOptions.builder().pingInterval(Duration.ZERO)
                .rateLimits(RateLimits.builder().messages(Rate.perSecond(5).withBurst(1))
                        .grace(Duration.ofMillis(300)).build())
                .build();
        try (WebSocketServer server = server().connectionOptions(limited).build().start()) {
            URI echo = URI.create("ws://127.0.0.1:" + server.port() + "/echo");
            Peer peer = new Peer();
            WebSocket socket = client().connect(echo, peer).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (int i = 0; i < 50; i++) {
                socket.sendText("flood");
            }
            assertEquals(1008, peer.closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            ServerMetrics s = server.metrics();
            await("the close counted", () -> s.openConnections() == 0);
            assertEquals(1, s.rateLimitCloses());
            assertTrue(s.rateLimitPauses() >= 1, "paused " + s.rateLimitPauses() + " times");
            assertEquals(Map.of(1008, 1L), s.closes(Side.LOCAL));
            assertEquals(Map.of(), s.closes(Side.REMOTE));
        }
    }

    @Test
    void aMissedPongIsCountedAndClosesWith1011() throws Exception {
        ConnectionOptions keepalive = ConnectionOptions.builder()
                .pingInterval(Duration.ofMillis(100)).pongTimeout(Duration.ofMillis(200))
                .closeTimeout(Duration.ofMillis(500)).build(); // the silent peer never echoes the close
        try (WebSocketServer server = server().connectionOptions(keepalive).build().start();
             Socket silent = new Socket("127.0.0.1", server.port())) {
            // A peer that completes the handshake, then never answers a ping.
            silent.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ServerMetrics s = server.metrics();
            await("the connection failed for its missing pong", () -> s.openConnections() == 0
                    && s.handshakesAccepted() == 1);
            assertEquals(1, s.pongsMissed());
            assertEquals(Map.of(1011, 1L), s.closes(Side.LOCAL));
            assertEquals(1, s.handshakesAccepted());
            assertTrue(s.pingsSent() >= 1);
        }
    }

    @Test
    void aFailedTlsHandshakeIsCounted() throws Exception {
        // The JDK's default context has no key: any handshake fails, as plain text on a wss port does.
        TlsOptions tls = TlsOptions.builder().sslContext(javax.net.ssl.SSLContext.getDefault()).build();
        try (WebSocketServer server = server().tls(tls).build().start();
             Socket plain = new Socket("127.0.0.1", server.port())) {
            plain.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            plain.getInputStream().readAllBytes(); // the server's alert, then the end
            await("the TLS failure counted", () -> server.metrics().tlsHandshakeFailures() == 1);
            assertEquals(0, server.metrics().handshakesAccepted());
            assertEquals(Map.of(), server.metrics().handshakesRefused());
        }
    }

    /** One connection: 32-byte texts, up to {@code inFlight} unanswered, until {@code end}; {sent, echoed}. */
    private static long[] sendFor(WebSocketClient client, URI echo, int inFlight, long end) throws Exception {
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(inFlight);
        java.util.concurrent.atomic.AtomicLong echoed = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = client.connect(echo, new WebSocketHandler() {
            @Override
            public void onMessage(WebSocket socket, Message message) {
                echoed.incrementAndGet();
                window.release();
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason) {
                closed.complete(code);
            }
        }).get(TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
        String message = "m".repeat(32);
        long sent = 0;
        while (System.nanoTime() < end) {
            if (window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                socket.sendText(message);
                sent++;
            }
        }
        if (!window.tryAcquire(inFlight, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("echoes missing: " + echoed.get() + " of " + sent);
        }
        socket.close(1000, "");
        closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        return new long[] {sent, echoed.get()};
    }

}
