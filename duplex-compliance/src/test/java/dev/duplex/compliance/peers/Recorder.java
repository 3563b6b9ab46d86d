package dev.duplex.compliance.peers;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The client end's handler: records messages, pings, errors and the close, for waits with a deadline. */
final class Recorder implements WebSocketHandler {
    /** onClose's arguments. */
    record Close(int code, String reason) {}

    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> pings = new LinkedBlockingQueue<>();
    final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();

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
        Message m = messages.poll(PeerContract.TIMEOUT, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + PeerContract.TIMEOUT + " s");
        }
        return m;
    }

    Close awaitClose() throws Exception {
        return closed.get(PeerContract.TIMEOUT, TimeUnit.SECONDS);
    }
}
