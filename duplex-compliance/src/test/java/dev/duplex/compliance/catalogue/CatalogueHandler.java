package dev.duplex.compliance.catalogue;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The catalogue servers' echo handler. It records, per connection, how the server closed it
 * ({@code onClose} exactly once) and whether it reported an error, keyed by the {@code id}
 * query parameter each row puts in its request target, so a row can check what the
 * application saw (row E2: the application sees 1005).
 */
final class CatalogueHandler implements WebSocketHandler {
    /** One onClose call. */
    record Closed(int code, String reason) {}

    private final Map<String, CompletableFuture<Closed>> closes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> doubleCloses = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

    @Override
    public void onMessage(WebSocket socket, Message message) {
        socket.send(message);
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        if (!future(idOf(socket)).complete(new Closed(code, reason))) {
            doubleCloses.add(idOf(socket));
        }
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        errors.add(error);
    }

    /** How the server closed the connection whose target carried {@code ?id=}, waiting for it. */
    Closed awaitClose(String id, Duration timeout) throws Exception {
        return future(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The code onClose gave the connection whose target carried {@code ?id=}, waiting up to 10 s. */
    int awaitCloseCode(String id) throws Exception {
        return awaitClose(id, Duration.ofSeconds(10)).code();
    }

    /** Connections whose onClose came twice (never expected), and errors the server reported. */
    String problems() {
        return (doubleCloses.isEmpty() ? "" : "onClose twice for " + doubleCloses + "; ")
                + (errors.isEmpty() ? "" : "onError: " + errors);
    }

    private CompletableFuture<Closed> future(String id) {
        return closes.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    static String idOf(WebSocket socket) {
        return socket.handshake().request().queryParameter("id").orElse("");
    }
}
