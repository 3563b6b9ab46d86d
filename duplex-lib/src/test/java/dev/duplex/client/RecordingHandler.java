package dev.duplex.client;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a connection reports, for tests to wait on with a deadline. */
final class RecordingHandler implements WebSocketHandler {
    static final long TIMEOUT_SECONDS = 10;

    /** How the connection ended, as onClose reported it. */
    record Close(int code, String reason) {}

    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> pings = new LinkedBlockingQueue<>();
    final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
    final CompletableFuture<Close> closed = new CompletableFuture<>();

    @Override
    public void onOpen(WebSocket socket) {
        opened.complete(socket);
    }

    @Override
    public void onMessage(WebSocket socket, Message message) {
        messages.add(message);
    }

    @Override
    public void onPing(WebSocket socket, byte[] payload) {
        pings.add(payload);
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        errors.add(error);
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        if (!closed.complete(new Close(code, reason))) {
            errors.add(new AssertionError("onClose called twice"));
        }
    }

    Message nextMessage() throws InterruptedException {
        Message m = messages.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + TIMEOUT_SECONDS + " s");
        }
        return m;
    }

    Close awaitClose() throws Exception {
        return closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
