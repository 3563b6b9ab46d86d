package dev.duplex.compliance.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.ReconnectPolicy;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.faults.FaultProxy.Cut;
import dev.duplex.compliance.robustness.Await;
import dev.duplex.compliance.robustness.RecordingHandler;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Duplex server and a Duplex client with {@link FaultProxy} between them, over real loopback
 * sockets: what each end reports when the network resets, ends early, stalls, swallows bytes
 * or cuts every write into single bytes, and that the server's timers (write stall, keepalive,
 * close) fire when the documentation says, neither before the deadline less a small slack nor
 * long after it.
 */
// Not ReturnsToBaseline: the client's timer thread is one per JVM, created on first use and
// kept, so whether it counts depends on which class ran first. FaultProxy.close() checks that
// its own threads end.
@Isolated
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FaultProxyTest {
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Duration TIMER = Duration.ofMillis(400);

    // -- a client behind a network that fails --------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cut.class)
    void connectionCutInTheMiddleOfAFrameReaches_onCloseAs1006(Cut how) throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        try (WebSocketServer server = server(events, ConnectionOptions.builder().build(), CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            ClientEvents client = new ClientEvents();
            WebSocket socket = connect(proxy, client, ClientOptions.builder()).get(5, TimeUnit.SECONDS);
            WebSocket serverEnd = events.awaitOpen();

            // The 101 is through; cut ten bytes into the next frame (its header is 4 bytes). The
            // client may parse the 101 before the proxy's relay thread has counted it: wait
            // until the count holds still (nothing else is sent until the binary message).
            long afterHandshake = settledCount(proxy);
            proxy.serverToClient().cutAt(afterHandshake + 10, how);
            serverEnd.sendBinary(new byte[1000]);

            Closed closed = client.awaitClose();
            assertEquals(1006, closed.code(), "a connection lost mid-frame is an abnormal closure");
            assertFalse(proxy.serverToClient().cutPending(), "the proxy did cut");
            assertEquals(afterHandshake + 10, proxy.serverToClient().forwarded(), "exactly the chosen bytes went through");
            assertTrue(client.messages.isEmpty(), "no partial message is delivered");
            assertFalse(socket.isOpen());
            assertEquals(1006, events.awaitClose().code(), "the server lost its peer without a close frame too");
        }
    }

    /** The server-to-client count once it is above zero and the same 50 ms apart. */
    private static long settledCount(FaultProxy proxy) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        long last = -1;
        while (System.nanoTime() < end) {
            long now = proxy.serverToClient().forwarded();
            if (now > 0 && now == last) {
                return now;
            }
            last = now;
            Thread.sleep(50); // polling interval of a condition with a deadline
        }
        throw new AssertionError("the 101 never settled in the proxy's count: " + last);
    }

    @ParameterizedTest
    @EnumSource(Cut.class)
    void connectionCutDuringTheHandshakeFailsTheConnectFutureWithAnIOException(Cut how) throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        try (WebSocketServer server = server(events, ConnectionOptions.builder().build(), CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            proxy.serverToClient().cutAt(20, how); // inside "HTTP/1.1 101 Switching Protocols"
            ClientEvents client = new ClientEvents();
            CompletableFuture<WebSocket> connecting = connect(proxy, client, ClientOptions.builder());

            ExecutionException failed = assertThrows(ExecutionException.class, () -> connecting.get(5, TimeUnit.SECONDS));
            IOException cause = assertInstanceOf(IOException.class, failed.getCause(),
                    "a connection lost during the handshake is an I/O failure, not a handshake refusal");
            assertNotNull(cause.getMessage(), "and it says what happened");
            assertEquals(0, client.opened.get(), "onOpen is not called for a handshake that never finished");
            assertFalse(proxy.serverToClient().cutPending());
        }
    }

    @Test
    void clientWithAReconnectPolicyConnectsAgainAfterTheNetworkResetsIt() throws Exception {
        RecordingHandler events = RecordingHandler.echo();
        try (WebSocketServer server = server(events, ConnectionOptions.builder().build(), CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            BlockingQueue<WebSocket> reconnected = new LinkedBlockingQueue<>();
            ReconnectPolicy policy = ReconnectPolicy.builder()
                    .initialDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(200)).maxAttempts(5)
                    .random(new SplittableRandom(17))
                    .listener(new ReconnectPolicy.Listener() {
                        @Override
                        public void reconnected(WebSocket socket, int attempts) {
                            reconnected.add(socket);
                        }
                    })
                    .build();
            ClientEvents client = new ClientEvents();
            WebSocket first = connect(proxy, client, ClientOptions.builder().reconnect(policy)).get(5, TimeUnit.SECONDS);
            events.awaitOpen();
            first.sendText("before");
            assertEquals(new Message.Text("before"), client.awaitMessage());

            proxy.resetAll();

            assertEquals(1006, client.awaitClose().code(), "the dropped connection is reported first");
            WebSocket second = reconnected.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(second, "the client did not reconnect within " + DEADLINE.toMillis() + " ms");
            assertTrue(second.isOpen());
            assertEquals(2, proxy.acceptedConnections(), "one new connection, through the proxy");
            // onOpen runs on the new connection's own thread, which may start after reconnected()
            // (ReconnectPolicy.Listener's Javadoc says it has already run: not so, see the report).
            Await.until(DEADLINE, () -> client.opened.get() == 2, () -> "onOpen runs for the new connection as for the first");
            second.sendText("after");
            assertEquals(new Message.Text("after"), client.awaitMessage());
            second.close(1000, "done").get(5, TimeUnit.SECONDS);
        }
    }

    // -- a server's timers under a network that stops ------------------------------------------

    @Test
    void stalledServerToClientDirectionFiresTheWriteStallTimeout() throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        ConnectionOptions options = ConnectionOptions.builder()
                .outboundHardLimit(16 << 20).writeStallTimeout(TIMER).pingInterval(Duration.ZERO).build();
        try (WebSocketServer server = server(events, options, CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.withSmallUpstreamReceiveBuffer(server.port(), 4096)) {
            ClientEvents client = new ClientEvents();
            // A client that would take the whole message, so that only the stall can end it.
            ClientOptions.Builder large = ClientOptions.builder()
                    .connectionOptions(ConnectionOptions.builder().maxMessageSize(16 << 20).build());
            connect(proxy, client, large).get(5, TimeUnit.SECONDS);
            WebSocket serverEnd = events.awaitOpen();

            proxy.serverToClient().stall();
            long start = System.nanoTime(); // before the send, so before any write progress
            CompletableFuture<Void> sent = serverEnd.sendBinary(new byte[12 << 20]);

            RecordingHandler.Closed closed = events.awaitClose(TIMER.plus(LATE_SLACK));
            Duration elapsed = since(start);
            assertEquals(1006, closed.code(), "a write that never completes ends the connection abnormally");
            assertNotBefore(TIMER, elapsed, "write stall timeout");
            assertTrue(sent.isCompletedExceptionally(), "the stalled send fails");
        }
    }

    @Test
    void pongsThatNeverArriveFireTheKeepaliveWith1011() throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        Duration ping = Duration.ofMillis(300);
        Duration pong = Duration.ofMillis(300);
        Duration close = Duration.ofMillis(300);
        ConnectionOptions options = ConnectionOptions.builder()
                .pingInterval(ping).pongTimeout(pong).closeTimeout(close).build();
        try (WebSocketServer server = server(events, options, CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            ClientEvents client = new ClientEvents();
            long start = System.nanoTime(); // before the connection opens, so before the ping timer starts
            connect(proxy, client, ClientOptions.builder()).get(5, TimeUnit.SECONDS);
            events.awaitOpen();
            // The client answers every ping; its pongs stay in the proxy. The first ping is
            // due pingInterval after open, far later than this line.
            proxy.clientToServer().stall();

            // The 1011 close frame goes out at the keepalive deadline and reaches the client...
            Closed toClient = client.awaitClose();
            assertEquals(1011, toClient.code(), "a peer that does not answer pings is failed with 1011");
            Duration sent = Duration.ofNanos(toClient.at() - start);
            assertNotBefore(ping.plus(pong), sent, "ping interval + pong timeout");
            assertTrue(sent.compareTo(ping.plus(pong).plus(LATE_SLACK)) <= 0,
                    "1011 reached the client " + sent.toMillis() + " ms after connecting, long after the keepalive deadline");
            // ...while the server, whose close reply from the client is stalled too, ends at the
            // close timeout after that.
            RecordingHandler.Closed closed = events.awaitClose(close.plus(LATE_SLACK));
            Duration elapsed = since(start);
            assertEquals(1011, closed.code(), "the server reports the code it closed with");
            assertNotBefore(ping.plus(pong).plus(close), elapsed, "keepalive and then close timeout");
        }
    }

    @Test
    void slowNetworkWithinThePongTimeoutKeepsTheConnectionOpen() throws Exception {
        Duration ping = Duration.ofMillis(200);
        Duration pong = Duration.ofMillis(500);
        Duration oneWay = Duration.ofMillis(100); // a round trip of 200 ms, under the pong timeout
        AtomicInteger pongs = new AtomicInteger();
        BlockingQueue<Integer> serverCloses = new LinkedBlockingQueue<>();
        WebSocketHandler handler = new WebSocketHandler() {
            @Override
            public void onMessage(WebSocket socket, Message message) {
                socket.send(message);
            }

            @Override
            public void onPong(WebSocket socket, byte[] payload) {
                pongs.incrementAndGet();
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason) {
                serverCloses.add(code);
            }
        };
        ConnectionOptions options = ConnectionOptions.builder().pingInterval(ping).pongTimeout(pong).build();
        try (WebSocketServer server = server(handler, options, CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            proxy.clientToServer().delay(oneWay);
            proxy.serverToClient().delay(oneWay);
            ClientEvents client = new ClientEvents();
            WebSocket socket = connect(proxy, client, ClientOptions.builder()).get(5, TimeUnit.SECONDS);

            Await.until(DEADLINE, () -> pongs.get() >= 3, () -> "three pongs back through the slow network, got " + pongs.get());
            assertTrue(serverCloses.isEmpty(), () -> "the keepalive closed a live connection: " + serverCloses);
            assertTrue(socket.isOpen());
            socket.sendText("still here");
            assertEquals(new Message.Text("still here"), client.awaitMessage());
            socket.close(1000, "done").get(5, TimeUnit.SECONDS);
            Integer code = serverCloses.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(1000, code, "the only close is the client's own");
        }
    }

    @Test
    void closeFrameSwallowedByTheNetworkFiresTheCloseTimeout() throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        ConnectionOptions options = ConnectionOptions.builder().closeTimeout(TIMER).pingInterval(Duration.ZERO).build();
        try (WebSocketServer server = server(events, options, CompressionOptions.DISABLED);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            ClientEvents client = new ClientEvents();
            connect(proxy, client, ClientOptions.builder()).get(5, TimeUnit.SECONDS);
            WebSocket serverEnd = events.awaitOpen();
            // Every byte the client sends is taken and dropped: its close reply goes nowhere.
            proxy.clientToServer().blackHole();

            long start = System.nanoTime();
            serverEnd.close(1000, "bye");

            RecordingHandler.Closed closed = events.awaitClose(TIMER.plus(LATE_SLACK));
            Duration elapsed = since(start);
            assertEquals(1006, closed.code(), "no close frame came back, so the close was abnormal");
            assertNotBefore(TIMER, elapsed, "close timeout");
            assertEquals(1000, client.awaitClose().code(), "the client did get the server's close");
            Await.until(DEADLINE, () -> proxy.clientToServer().swallowed() > 0,
                    () -> "the client's close reply reached the black hole");
        }
    }

    // -- single-byte writes both ways -----------------------------------------------------------

    @ParameterizedTest(name = "compression {0}")
    @ValueSource(booleans = {false, true})
    void singleByteWritesBothWaysStillEchoEveryMessage(boolean compression) throws Exception {
        RecordingHandler events = RecordingHandler.echo();
        CompressionOptions deflate = compression ? CompressionOptions.ENABLED : CompressionOptions.DISABLED;
        try (WebSocketServer server = server(events, ConnectionOptions.builder().build(), deflate);
             FaultProxy proxy = FaultProxy.to(server.port())) {
            proxy.clientToServer().fragment(true);
            proxy.serverToClient().fragment(true);
            ClientEvents client = new ClientEvents();
            WebSocket socket = connect(proxy, client, ClientOptions.builder().compression(deflate)).get(5, TimeUnit.SECONDS);
            assertEquals(compression, socket.handshake().extension("permessage-deflate").isPresent(),
                    "permessage-deflate agreed as configured, through a handshake cut into single bytes");

            SplittableRandom random = new SplittableRandom(6455);
            for (int size : new int[] {0, 1, 125, 126, 1000, 65_535, 70_000}) {
                String text = text(random, size);
                socket.sendText(text);
                assertEquals(new Message.Text(text), client.awaitMessage(), "text of " + size + " bytes");
                byte[] binary = new byte[size];
                for (int i = 0; i < size; i++) {
                    binary[i] = (byte) (i % 7 == 0 ? random.nextInt(256) : i); // compressible, not trivially
                }
                socket.sendBinary(binary);
                Message back = client.awaitMessage();
                assertArrayEquals(binary, assertInstanceOf(Message.Binary.class, back).data(), "binary of " + size + " bytes");
            }
            socket.close(1000, "done").get(5, TimeUnit.SECONDS);
            assertEquals(1000, client.awaitClose().code());
            assertEquals(1000, events.awaitClose().code());
        }
    }

    // -- helpers --------------------------------------------------------------------------------

    private static WebSocketServer server(WebSocketHandler handler, ConnectionOptions options, CompressionOptions compression) {
        return WebSocketServer.builder().host("127.0.0.1").port(0)
                .handshakeTimeout(Duration.ofSeconds(2))
                .compression(compression)
                .connectionOptions(options)
                .route("/echo", handler)
                .build().start();
    }

    private static CompletableFuture<WebSocket> connect(FaultProxy proxy, WebSocketHandler handler, ClientOptions.Builder options) {
        ClientOptions built = options.connectTimeout(Duration.ofSeconds(2)).handshakeTimeout(Duration.ofSeconds(3)).build();
        return WebSocketClient.create(built).connect(URI.create("ws://127.0.0.1:" + proxy.port() + "/echo"), handler);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void assertNotBefore(Duration deadline, Duration elapsed, String what) {
        System.out.printf("%s of %d ms: fired after %d ms%n", what, deadline.toMillis(), elapsed.toMillis());
        assertTrue(elapsed.compareTo(deadline.minus(EARLY_SLACK)) >= 0,
                "fired after " + elapsed.toMillis() + " ms, before the " + what + " of " + deadline.toMillis() + " ms");
    }

    /** Mixed one- to four-byte UTF-8 characters, about {@code size} bytes. */
    private static String text(SplittableRandom random, int size) {
        StringBuilder s = new StringBuilder();
        int bytes = 0;
        int[] samples = {'a', 'Z', ' ', 0xE9, 0x20AC, 0x1F600};
        while (bytes < size) {
            int cp = samples[random.nextInt(samples.length)];
            int length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + length > size) {
                cp = 'x';
                length = 1;
            }
            s.appendCodePoint(cp);
            bytes += length;
        }
        return s.toString();
    }

    /** One client onClose call, and when it came ({@link System#nanoTime}). */
    record Closed(int code, String reason, long at) {}

    /** The client's handler: what it received, in order. */
    private static final class ClientEvents implements WebSocketHandler {
        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Closed> closes = new LinkedBlockingQueue<>();
        final AtomicInteger opened = new AtomicInteger();

        @Override
        public void onOpen(WebSocket socket) {
            opened.incrementAndGet();
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {
            messages.add(message);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            closes.add(new Closed(code, reason, System.nanoTime()));
        }

        Message awaitMessage() throws InterruptedException {
            Message m = messages.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(m, "no message within " + DEADLINE.toMillis() + " ms");
            return m;
        }

        Closed awaitClose() throws InterruptedException {
            Closed c = closes.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(c, "client onClose not called within " + DEADLINE.toMillis() + " ms");
            return c;
        }
    }
}
