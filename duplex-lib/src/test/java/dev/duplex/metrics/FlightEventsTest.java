package dev.duplex.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flight-recorder events: a recording holds each connection's life and each refusal. */
class FlightEventsTest {
    private static final long TIMEOUT_SECONDS = 10;

    @Test
    void aRecordingHoldsOpenCloseAndRefusal(@TempDir Path dir) throws Exception {
        ConnectionOptions quiet = ConnectionOptions.builder().pingInterval(Duration.ZERO).build();
        try (Recording recording = new Recording();
             WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).connectionOptions(quiet)
                     .route("/echo", (socket, message) -> { })
                     .handshakeInterceptor(r -> r.headers().contains("X-Deny")
                             ? HandshakeInterceptor.Decision.reject(403) : HandshakeInterceptor.Decision.accept())
                     .build().start()) {
            recording.enable("dev.duplex.ConnectionOpened");
            recording.enable("dev.duplex.ConnectionClosed");
            recording.enable("dev.duplex.HandshakeRefused");
            recording.start();

            URI echo = URI.create("ws://127.0.0.1:" + server.port() + "/echo?ticket=SECRET");
            WebSocketClient client = WebSocketClient.create(ClientOptions.builder().connectionOptions(quiet).build());
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket socket = client.connect(echo, new WebSocketHandler() {
                @Override
                public void onMessage(WebSocket s, dev.duplex.Message m) {
                }

                @Override
                public void onClose(WebSocket s, int code, String reason) {
                    closed.complete(code);
                }
            }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            socket.sendText("0123456789").get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            socket.close(4001, "");
            assertEquals(4001, closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            WebSocketClient denied = WebSocketClient.create(ClientOptions.builder().header("X-Deny", "1").build());
            try {
                denied.connect(echo, (s, m) -> { }).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                throw new AssertionError("the handshake went through");
            } catch (ExecutionException expected) {
                // 403
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (server.metrics().openConnections() != 0 || server.metrics().handshakesRefused().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the server did not count the close and the refusal");
                Thread.sleep(5); // polling interval only
            }
            recording.stop();
            Path file = dir.resolve("duplex.jfr");
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);

            List<RecordedEvent> opened = named(events, "dev.duplex.ConnectionOpened");
            assertEquals(List.of("client", "server"), opened.stream().map(e -> e.getString("role")).sorted().toList());
            RecordedEvent serverClosed = named(events, "dev.duplex.ConnectionClosed").stream()
                    .filter(e -> e.getString("role").equals("server")).findFirst().orElseThrow();
            assertEquals(4001, serverClosed.getInt("code"));
            assertFalse(serverClosed.getBoolean("local"));
            assertEquals("/echo", serverClosed.getString("path"));
            assertEquals(client.metrics().wireBytesOut(), serverClosed.getLong("bytesIn"));
            assertEquals(server.metrics().wireBytesOut(), serverClosed.getLong("bytesOut"));
            assertTrue(serverClosed.getDuration().toNanos() > 0);
            RecordedEvent clientClosed = named(events, "dev.duplex.ConnectionClosed").stream()
                    .filter(e -> e.getString("role").equals("client")).findFirst().orElseThrow();
            assertTrue(clientClosed.getBoolean("local"));
            List<RecordedEvent> refused = named(events, "dev.duplex.HandshakeRefused");
            assertEquals(1, refused.size());
            assertEquals(403, refused.get(0).getInt("status"));
            for (RecordedEvent e : events) {
                assertFalse(e.toString().contains("SECRET"), "a query string in an event: " + e);
            }
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
