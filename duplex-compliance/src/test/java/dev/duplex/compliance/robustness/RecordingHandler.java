package dev.duplex.compliance.robustness;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server handler that echoes every message (unless built silent) and records what the
 * server told it, so a test can wait for an event with a deadline and then look at it.
 */
public final class RecordingHandler implements WebSocketHandler {
    /** How long a test waits for a server-side event before it fails. */
    public static final Duration EVENT_DEADLINE = Duration.ofSeconds(10);

    /** One onClose call. */
    public record Closed(WebSocket socket, int code, String reason) {}

    private final boolean echo;
    private final Consumer<WebSocket> onOpen;
    private final BlockingQueue<WebSocket> opened = new LinkedBlockingQueue<>();
    private final BlockingQueue<Closed> closed = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Closed> allClosed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

    private RecordingHandler(boolean echo, Consumer<WebSocket> onOpen) {
        this.echo = echo;
        this.onOpen = onOpen;
    }

    /** Sends every message back as it came. */
    public static RecordingHandler echo() {
        return new RecordingHandler(true, socket -> {});
    }

    /** Receives messages and does nothing with them. */
    public static RecordingHandler silent() {
        return new RecordingHandler(false, socket -> {});
    }

    /** Receives messages and does nothing with them; runs {@code action} in onOpen. */
    public static RecordingHandler silent(Consumer<WebSocket> action) {
        return new RecordingHandler(false, action);
    }

    @Override
    public void onOpen(WebSocket socket) {
        opened.add(socket);
        onOpen.accept(socket);
    }

    @Override
    public void onMessage(WebSocket socket, Message message) {
        if (echo) {
            socket.send(message);
        }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        Closed c = new Closed(socket, code, reason);
        allClosed.add(c);
        closed.add(c);
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        errors.add(error);
    }

    /** The server end of the next connection to open. */
    public WebSocket awaitOpen() throws InterruptedException {
        WebSocket socket = opened.poll(EVENT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(socket, "no connection opened within " + EVENT_DEADLINE.toMillis() + " ms");
        return socket;
    }

    /** The next onClose call. */
    public Closed awaitClose() throws InterruptedException {
        return awaitClose(EVENT_DEADLINE);
    }

    /** The next onClose call, waiting at most {@code timeout}. */
    public Closed awaitClose(Duration timeout) throws InterruptedException {
        Closed c = closed.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(c, "onClose not called within " + timeout.toMillis() + " ms");
        return c;
    }

    /** Every onClose call so far, in order. */
    public List<Closed> closes() {
        return new ArrayList<>(allClosed);
    }

    /** Every onError call so far. */
    public List<Throwable> errors() {
        return new ArrayList<>(errors);
    }
}
