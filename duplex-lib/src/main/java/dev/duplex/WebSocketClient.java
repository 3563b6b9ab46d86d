package dev.duplex;

import dev.duplex.internal.transport.ClientConnector;
import dev.duplex.internal.transport.MetricsRecorder;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Opens client connections ({@code ws://} and {@code wss://}) that speak the same message API
 * as the server: the handler gets each connection's events on a virtual thread of its own, and
 * the {@link WebSocket} sends from any thread with the same limits, backpressure, keepalive and
 * close handshake.
 *
 * <pre>{@code
 * WebSocketClient client = WebSocketClient.create(ClientOptions.builder()
 *         .header("Authorization", "Bearer " + token)
 *         .subprotocol("chat.v2")
 *         .build());
 * WebSocket socket = client.connect(URI.create("wss://example.com/chat"), handler)
 *         .get(15, TimeUnit.SECONDS);
 * socket.sendText("hello");
 * }</pre>
 *
 * <p>Strict where the server is wrong: anything but a valid 101 fails the connect with
 * {@link HandshakeFailedException} carrying the status and the response head. Immutable and safe
 * to share; one client may open any number of connections.
 */
public final class WebSocketClient {
    private final ClientOptions options;
    /** Masking keys and handshake nonces; SecureRandom is thread-safe (row B8). */
    private final SecureRandom random = new SecureRandom();
    private final MetricsRecorder recorder = new MetricsRecorder();
    private final ClientMetrics metrics = new ClientMetrics(recorder);

    private WebSocketClient(ClientOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A client with {@link ClientOptions#DEFAULTS}. */
    public static WebSocketClient create() {
        return new WebSocketClient(ClientOptions.DEFAULTS);
    }

    /** A client with these options. */
    public static WebSocketClient create(ClientOptions options) {
        return new WebSocketClient(options);
    }

    public ClientOptions options() {
        return options;
    }

    /** What this client's connections have counted since it was created. Safe from any thread. */
    public ClientMetrics metrics() {
        return metrics;
    }

    /**
     * Connects, runs the opening handshake, and returns at once. The future completes with the
     * open connection once the server's 101 has been validated; {@link WebSocketHandler#onOpen}
     * may run just before it does. It fails with {@link HandshakeFailedException} when the server
     * answered something other than a valid 101, with {@link java.net.SocketTimeoutException}
     * when a timeout passed, or with another {@link java.io.IOException} (refused, TLS, DNS).
     * Cancelling it abandons the attempt and closes its socket.
     *
     * @param uri {@code ws://} or {@code wss://}, with a host and no fragment
     * @throws IllegalArgumentException when the URI is not a WebSocket URI
     */
    public CompletableFuture<WebSocket> connect(URI uri, WebSocketHandler handler) {
        return ClientConnector.connect(uri, options, Objects.requireNonNull(handler, "handler"), random, recorder);
    }
}
