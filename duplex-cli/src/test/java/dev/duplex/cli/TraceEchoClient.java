package dev.duplex.cli;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Duplex's own client and an echo server, for tests that put {@code duplex trace} between
 * them: the client records what comes back and how the connection closed.
 */
final class TraceEchoClient implements WebSocketHandler {
    static final long TIMEOUT_MILLIS = 5_000;

    final LinkedBlockingQueue<Message> echoed = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    WebSocket socket;

    /** An echo server on a free loopback port, without keepalive pings that would add frames. */
    static WebSocketServer echoServer() {
        return WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder().pingInterval(Duration.ZERO).build())
                .route("/echo", (socket, message) -> socket.send(message)).build().start();
    }

    /** Connects to {@code /echo} at the port, which is the trace's. */
    static TraceEchoClient connect(int port) throws Exception {
        TraceEchoClient client = new TraceEchoClient();
        client.socket = WebSocketClient.create().connect(URI.create("ws://127.0.0.1:" + port + "/echo"), client)
                .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        return client;
    }

    /** Waits for {@code count} echoes. */
    void awaitEchoes(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            if (echoed.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) == null) {
                throw new AssertionError("echo " + (i + 1) + " of " + count + " never came");
            }
        }
    }

    /** Closes with 1000 and waits for the close handshake to end; returns the code. */
    int close(String reason) throws Exception {
        socket.close(1000, reason);
        return closeCode.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onMessage(WebSocket s, Message message) {
        echoed.add(message);
    }

    @Override
    public void onClose(WebSocket s, int code, String reason) {
        closeCode.complete(code);
    }
}
