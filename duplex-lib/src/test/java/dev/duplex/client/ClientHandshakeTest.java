package dev.duplex.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.HandshakeFailedException;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.client.FakeServer.Request;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client's opening handshake (RFC 6455 4.1) against a hand-written fake server: the request
 * it sends, and rows B1–B5 and B7 of the security catalogue for the answers it must refuse.
 */
class ClientHandshakeTest {
    private static final long TIMEOUT = RecordingHandler.TIMEOUT_SECONDS;

    private static WebSocket connect(FakeServer server, String path, ClientOptions options, RecordingHandler handler)
            throws Exception {
        return WebSocketClient.create(options).connect(server.uri(path), handler).get(TIMEOUT, TimeUnit.SECONDS);
    }

    /** The exception a connect failed with. */
    private static Throwable failure(FakeServer server, String path, ClientOptions options) {
        CompletableFuture<WebSocket> f = WebSocketClient.create(options).connect(server.uri(path), new RecordingHandler());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static HandshakeFailedException handshakeFailure(FakeServer server, ClientOptions options) {
        return assertInstanceOf(HandshakeFailedException.class, failure(server, "/", options));
    }

    // ---------------------------------------------------------------- the request

    @Test
    void requestIsAnRfc6455UpgradeWithAFreshKey() throws Exception {
        BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            requests.add(r);
            peer.accept(r);
        })) {
            ClientOptions options = ClientOptions.builder().header("Authorization", "Bearer t0ken")
                    .header("X-Trace", "42").build();
            connect(server, "/chat?room=1", options, new RecordingHandler()).abort();
            connect(server, "/chat?room=1", options, new RecordingHandler()).abort();
            Request first = requests.poll(TIMEOUT, TimeUnit.SECONDS);
            Request second = requests.poll(TIMEOUT, TimeUnit.SECONDS);

            assertEquals("GET /chat?room=1 HTTP/1.1", first.requestLine());
            assertEquals("127.0.0.1:" + server.port(), first.field("Host"));
            assertEquals("websocket", first.field("Upgrade"));
            assertEquals("Upgrade", first.field("Connection"));
            assertEquals("13", first.field("Sec-WebSocket-Version"));
            assertEquals(16, Base64.getDecoder().decode(first.field("Sec-WebSocket-Key")).length);
            assertNotEquals(first.field("Sec-WebSocket-Key"), second.field("Sec-WebSocket-Key"), "a fresh key per connection");
            assertEquals("Bearer t0ken", first.field("Authorization"));
            assertEquals("42", first.field("X-Trace"));
            assertNull(first.field("Origin"), "a non-browser client sends no Origin unless asked to");
            assertNull(first.field("Sec-WebSocket-Protocol"));
        }
    }

    @Test
    void theHandshakeRecordsTheRequestAsSent() throws Exception {
        try (FakeServer server = new FakeServer(peer -> peer.accept(peer.readRequest()))) {
            WebSocket socket = connect(server, "/a/b?x=1", ClientOptions.builder().header("Cookie", "id=7").build(),
                    new RecordingHandler());
            assertEquals("/a/b", socket.handshake().path());
            assertEquals("x=1", socket.handshake().query());
            assertEquals("id=7", socket.handshake().headers().first("Cookie").orElseThrow());
            assertEquals(server.port(), socket.handshake().remoteAddress().getPort());
            socket.abort();
        }
    }

    @Test
    void aUriThatIsNotWsOrWssIsRefusedAtOnce() {
        WebSocketClient client = WebSocketClient.create();
        assertThrows(IllegalArgumentException.class, () -> client.connect(URI.create("http://127.0.0.1/"), new RecordingHandler()));
        assertThrows(IllegalArgumentException.class, () -> client.connect(URI.create("ws://127.0.0.1/#frag"), new RecordingHandler()));
    }

    @Test
    void optionsRefuseHeadersTheHandshakeOwns() {
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.builder().header("Sec-WebSocket-Key", "x").build());
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.builder().header("Host", "evil").build());
        assertThrows(IllegalArgumentException.class, () -> ClientOptions.builder().subprotocol("not a token").build());
    }

    // ---------------------------------------------------------------- B1: status

    @Test
    void B1_status200FailsWithTheStatusAndTheHead() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi");
        })) {
            HandshakeFailedException e = handshakeFailure(server, ClientOptions.DEFAULTS);
            assertEquals(200, e.status());
            assertEquals("OK", e.reasonPhrase());
            assertEquals("text/plain", e.headers().first("Content-Type").orElseThrow());
            assertTrue(e.getMessage().contains("200 OK"), e.getMessage());
        }
    }

    @Test
    void B1_status403FailsWithTheStatus() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        })) {
            HandshakeFailedException e = handshakeFailure(server, ClientOptions.DEFAULTS);
            assertEquals(403, e.status());
            assertTrue(e.getMessage().contains("403 Forbidden"), e.getMessage());
        }
    }

    @Test
    void B1_redirectIsNotFollowedByDefault() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n");
        })) {
            HandshakeFailedException e = handshakeFailure(server, ClientOptions.DEFAULTS);
            assertEquals(302, e.status());
            assertEquals(URI.create("/elsewhere"), e.location().orElseThrow());
            assertEquals(1, server.accepted.size(), "no second request was made");
        }
    }

    @Test
    void B1_sameOriginRedirectIsFollowedWithCredentials() throws Exception {
        BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            requests.add(r);
            if (r.requestLine().startsWith("GET /old ")) {
                peer.write("HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n");
            } else {
                peer.accept(r);
            }
        })) {
            ClientOptions options = ClientOptions.builder().followRedirects(true)
                    .header("Authorization", "Bearer s3cret").header("Cookie", "session=1").build();
            WebSocket socket = connect(server, "/old", options, new RecordingHandler());
            requests.poll(TIMEOUT, TimeUnit.SECONDS);
            Request second = requests.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("GET /new HTTP/1.1", second.requestLine());
            assertEquals("Bearer s3cret", second.field("Authorization"));
            assertEquals("session=1", second.field("Cookie"));
            assertEquals("/new", socket.handshake().path());
            socket.abort();
        }
    }

    @Test
    void B1_crossOriginRedirectDropsAuthorizationAndCookie() throws Exception {
        BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        try (FakeServer target = new FakeServer(peer -> {
            Request r = peer.readRequest();
            requests.add(r);
            peer.accept(r);
        }); FakeServer origin = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:" + target.port()
                    + "/landed\r\nContent-Length: 0\r\n\r\n");
        })) {
            ClientOptions options = ClientOptions.builder().followRedirects(true)
                    .header("Authorization", "Bearer s3cret").header("Cookie", "session=1").header("X-Trace", "7").build();
            connect(origin, "/", options, new RecordingHandler()).abort();
            Request landed = requests.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("GET /landed HTTP/1.1", landed.requestLine(), "http: in Location maps to ws:");
            assertNull(landed.field("Authorization"));
            assertNull(landed.field("Cookie"));
            assertEquals("7", landed.field("X-Trace"), "fields that are not credentials go on");
        }
    }

    @Test
    void B1_atMostFiveRedirectsAreFollowed() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
        })) {
            HandshakeFailedException e = handshakeFailure(server, ClientOptions.builder().followRedirects(true).build());
            assertTrue(e.getMessage().contains("more than 5 redirects"), e.getMessage());
            assertEquals(1 + ClientOptions.MAX_REDIRECTS, server.accepted.size());
        }
    }

    // ---------------------------------------------------------------- B2–B4: a 101 that is wrong

    static Stream<Arguments> wrong101s() {
        String upgrade = "Upgrade: websocket\r\n";
        String connection = "Connection: Upgrade\r\n";
        UnaryOperator<String> accept = key -> "Sec-WebSocket-Accept: " + FakeServer.acceptFor(key) + "\r\n";
        return Stream.of(
                Arguments.of("B2 Accept missing", (UnaryOperator<String>) key -> upgrade + connection),
                Arguments.of("B2 Accept wrong", (UnaryOperator<String>) key ->
                        upgrade + connection + "Sec-WebSocket-Accept: " + FakeServer.acceptFor("x" + key) + "\r\n"),
                Arguments.of("B2 Accept repeated", (UnaryOperator<String>) key ->
                        upgrade + connection + accept.apply(key) + accept.apply(key)),
                Arguments.of("B2 Upgrade missing", (UnaryOperator<String>) key -> connection + accept.apply(key)),
                Arguments.of("B2 Upgrade not websocket", (UnaryOperator<String>) key ->
                        "Upgrade: h2c\r\n" + connection + accept.apply(key)),
                Arguments.of("B2 Connection without upgrade", (UnaryOperator<String>) key ->
                        upgrade + "Connection: keep-alive\r\n" + accept.apply(key)),
                // permessage-deflate is offered by default; ClientDeflateHandshakeTest has its cases.
                Arguments.of("B3 extension not offered", (UnaryOperator<String>) key ->
                        upgrade + connection + accept.apply(key) + "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n"),
                Arguments.of("B4 subprotocol not offered", (UnaryOperator<String>) key ->
                        upgrade + connection + accept.apply(key) + "Sec-WebSocket-Protocol: admin\r\n"),
                Arguments.of("B4 several subprotocols", (UnaryOperator<String>) key -> upgrade + connection
                        + accept.apply(key) + "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: json\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrong101s")
    void B2toB4_a101WithAWrongFieldFailsTheHandshake(String row, UnaryOperator<String> fields) throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            peer.write("HTTP/1.1 101 Switching Protocols\r\n" + fields.apply(r.field("Sec-WebSocket-Key")) + "\r\n");
        })) {
            RecordingHandler handler = new RecordingHandler();
            CompletableFuture<WebSocket> f = WebSocketClient.create(ClientOptions.builder().subprotocol("chat")
                    .subprotocol("json").build()).connect(server.uri("/"), handler);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS));
            HandshakeFailedException failed = assertInstanceOf(HandshakeFailedException.class, e.getCause());
            assertEquals(101, failed.status());
            assertTrue(failed.response().isPresent(), "the head travels with the exception");
            assertFalse(handler.opened.isDone(), "the handler never saw a connection");
        }
    }

    @Test
    void B4_anOfferedSubprotocolIsSelected() throws Exception {
        BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            requests.add(r);
            peer.accept(r, "Sec-WebSocket-Protocol: json\r\n", new byte[0]);
        })) {
            WebSocket socket = connect(server, "/", ClientOptions.builder().subprotocol("chat").subprotocol("json").build(),
                    new RecordingHandler());
            assertEquals("chat, json", requests.poll(TIMEOUT, TimeUnit.SECONDS).field("Sec-WebSocket-Protocol"));
            assertEquals("json", socket.handshake().selectedSubprotocol().orElseThrow());
            socket.abort();
        }
    }

    @Test
    void malformedResponseHeadFailsWithNoStatus() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n"); // bare LFs
        })) {
            HandshakeFailedException e = handshakeFailure(server, ClientOptions.DEFAULTS);
            assertEquals(HandshakeFailedException.NO_STATUS, e.status());
            assertTrue(e.response().isEmpty());
        }
    }

    @Test
    void serverClosingMidHeadFails() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            peer.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs");
            peer.socket.close();
        })) {
            HandshakeFailedException e = handshakeFailure(server, ClientOptions.DEFAULTS);
            assertTrue(e.getMessage().contains("before the end of its response head"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- B5

    @Test
    void B5_framesInTheSameReadAsThe101AreDelivered() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            peer.accept(r, "", FakeServer.concat(FakeServer.textFrame("first"), FakeServer.textFrame("second")));
            peer.readFrame();
        })) {
            RecordingHandler handler = new RecordingHandler();
            WebSocket socket = connect(server, "/", ClientOptions.DEFAULTS, handler);
            assertEquals(new Message.Text("first"), handler.nextMessage());
            assertEquals(new Message.Text("second"), handler.nextMessage());
            socket.abort();
        }
    }

    // ---------------------------------------------------------------- timeouts, cancel, B7

    @Test
    void aServerThatNeverAnswersFailsAtTheHandshakeTimeout() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            done.await(TIMEOUT, TimeUnit.SECONDS);
        })) {
            Throwable e = failure(server, "/", ClientOptions.builder().handshakeTimeout(Duration.ofMillis(300)).build());
            assertInstanceOf(SocketTimeoutException.class, e);
            assertTrue(e.getMessage().contains("did not finish within 300 ms"), e.getMessage());
        } finally {
            done.countDown();
        }
    }

    @Test
    void cancellingTheConnectClosesItsSocket() throws Exception {
        CompletableFuture<Boolean> sawEnd = new CompletableFuture<>();
        CountDownLatch requested = new CountDownLatch(1);
        try (FakeServer server = new FakeServer(peer -> {
            peer.readRequest();
            requested.countDown();
            sawEnd.complete(peer.readsEndOfStream());
        })) {
            CompletableFuture<WebSocket> f = WebSocketClient.create().connect(server.uri("/"), new RecordingHandler());
            assertTrue(requested.await(TIMEOUT, TimeUnit.SECONDS));
            f.cancel(true);
            assertTrue(sawEnd.get(TIMEOUT, TimeUnit.SECONDS));
        }
    }

    @Test
    void B7_onlyOneConnectionPerAddressIsConnectingAtATime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            release.await(TIMEOUT, TimeUnit.SECONDS);
            peer.accept(r);
        })) {
            CompletableFuture<WebSocket> first = WebSocketClient.create().connect(server.uri("/"), new RecordingHandler());
            assertTrue(server.accepted.poll(TIMEOUT, TimeUnit.SECONDS) != null, "the first attempt is connecting");
            Throwable second = failure(server, "/", ClientOptions.builder().connectTimeout(Duration.ofMillis(200)).build());
            assertInstanceOf(SocketTimeoutException.class, second);
            assertTrue(second.getMessage().contains("still connecting"), second.getMessage());
            assertTrue(server.accepted.isEmpty(), "the second attempt never reached the server");
            release.countDown();
            first.get(TIMEOUT, TimeUnit.SECONDS).abort();
            connect(server, "/", ClientOptions.DEFAULTS, new RecordingHandler()).abort();
        }
    }

    @Test
    void connectionRefusedFailsWithAnIOException() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CompletableFuture<WebSocket> f = WebSocketClient.create()
                .connect(URI.create("ws://127.0.0.1:" + port + "/"), new RecordingHandler());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS));
        assertInstanceOf(java.net.ConnectException.class, e.getCause());
    }
}
