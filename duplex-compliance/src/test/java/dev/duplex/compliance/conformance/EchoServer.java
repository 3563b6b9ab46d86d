package dev.duplex.compliance.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server under test, as a conformance run sets it up: a Duplex {@link WebSocketServer} on
 * a loopback port of the system's choosing, echoing every message, with its limits raised to
 * what Autobahn's sections 1–10 send (16 MiB messages, 65,536 fragments) and keepalive off so
 * that no ping of the server's own lands among a case's events. One server per test class;
 * every case opens a connection of its own. After each case the server must have let go of
 * the connection.
 */
final class EchoServer implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    static final String PATH = "/echo";
    /** Case 9.1.6 sends 16 MiB; a little more leaves room without hiding an off-by-one. */
    static final long MAX_MESSAGE_SIZE = 16 * 1024 * 1024 + 64 * 1024;
    /** Case 9.3.1 sends 4 MiB in 64-byte fragments: exactly this many. */
    static final int MAX_FRAGMENTS = 65_536;
    /** Room for a 16 MiB echo queued whole, and for pipelined echoes the client reads late. */
    static final long OUTBOUND_HARD_LIMIT = 64 * 1024 * 1024;

    static final ConnectionOptions OPTIONS = ConnectionOptions.builder()
            .maxMessageSize(MAX_MESSAGE_SIZE)
            .maxFragments(MAX_FRAGMENTS)
            .outboundHardLimit(OUTBOUND_HARD_LIMIT)
            .pingInterval(Duration.ZERO)
            .closeTimeout(Duration.ofSeconds(5))
            .build();

    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_INTERVAL_NANOS = 1_000_000;

    private WebSocketServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .connectionOptions(OPTIONS)
                .route(PATH, (socket, message) -> socket.send(message))
                .build()
                .start();
    }

    /** Opens a fresh connection to the echo route. */
    RawWebSocket connect() throws IOException {
        return RawWebSocket.open(server.port(), PATH);
    }

    /** Every case ends with the connection closed, so the server must hold none afterwards. */
    @Override
    public void afterEach(ExtensionContext context) {
        long deadline = System.nanoTime() + RELEASE_TIMEOUT.toNanos();
        while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL_INTERVAL_NANOS); // polls a condition under a deadline
        }
        assertEquals(0, server.connectionCount(), "connections the server still holds after the case");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
