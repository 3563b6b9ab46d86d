package dev.duplex.compliance.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.net.http.WebSocket.Listener;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What a client connection received, for both clients the tests use: Duplex's own
 * ({@link WebSocketHandler}) and the JDK's ({@link Listener}). Texts and the close code
 * arrive on queues, so a test waits for them with a deadline.
 */
final class Received implements WebSocketHandler, Listener {
    static final long TIMEOUT_SECONDS = 10;

    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    String nextText() throws InterruptedException {
        String text = texts.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(text, "no text message within " + TIMEOUT_SECONDS + " s");
        return text;
    }

    /** Sends {@code text} with Duplex's client and waits for the same text to come back. */
    void assertEchoes(WebSocket socket, String text) throws Exception {
        socket.sendText(text).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(text, nextText());
    }

    /** The same with the JDK's client. */
    void assertEchoes(java.net.http.WebSocket socket, String text) throws Exception {
        socket.sendText(text, true).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertEquals(text, nextText());
    }

    // ---------------------------------------------------------------- Duplex's client

    @Override
    public void onMessage(WebSocket socket, Message message) {
        if (message instanceof Message.Text text) {
            texts.add(text.text());
        }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        closeCode.complete(code);
    }

    // ---------------------------------------------------------------- the JDK's client

    @Override
    public CompletionStage<?> onText(java.net.http.WebSocket socket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
        }
        socket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(java.net.http.WebSocket socket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
    }
}
