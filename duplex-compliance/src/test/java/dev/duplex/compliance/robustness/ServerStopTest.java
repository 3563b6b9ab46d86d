package dev.duplex.compliance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@link WebSocketServer#stop(Duration)} over real sockets: every open connection gets 1001
 * (going away), the server waits for the close handshakes, and a peer that does not answer
 * is aborted at the deadline.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class ServerStopTest {
    private static final Duration GRACE = Duration.ofMillis(800);
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(3);

    /** The connection's own close timeout is long, so only stop()'s deadline can end it. */
    private static WebSocketServer server(RecordingHandler events) {
        return WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder().closeTimeout(Duration.ofSeconds(30)).build())
                .route("/echo", events)
                .build().start();
    }

    @Test
    void stopSendsGoingAwayAndReturnsOnlyAfterEveryCloseHandshake() throws Exception {
        RecordingHandler events = RecordingHandler.echo();
        WebSocketServer server = server(events);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
             RawPeer a = RawPeer.connect(server.port(), "/echo");
             RawPeer b = RawPeer.connect(server.port(), "/echo")) {
            events.awaitOpen();
            events.awaitOpen();
            List<Future<Integer>> answers = List.of(pool.submit(() -> answerClose(a)), pool.submit(() -> answerClose(b)));

            server.stop(Duration.ofSeconds(10));

            // stop() returned, so both handshakes are already over: no waiting here.
            assertEquals(0, server.connectionCount());
            List<RecordingHandler.Closed> closes = events.closes();
            assertEquals(2, closes.size(), () -> "stop() returned before every onClose: " + closes);
            closes.forEach(c -> assertEquals(1001, c.code()));
            for (Future<Integer> answer : answers) {
                assertEquals(1001, answer.get(5, TimeUnit.SECONDS), "the peer should see 1001 (going away)");
            }
            assertRefusesConnections(server.port());
        }
    }

    @Test
    void peerThatDoesNotAnswerIsAbortedAtTheStopDeadline() throws Exception {
        RecordingHandler events = RecordingHandler.echo();
        WebSocketServer server = server(events);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
             RawPeer polite = RawPeer.connect(server.port(), "/echo");
             RawPeer mute = RawPeer.connect(server.port(), "/echo")) {
            events.awaitOpen();
            events.awaitOpen();
            Future<Integer> politeAnswer = pool.submit(() -> answerClose(polite));
            CompletableFuture<Integer> muteSaw = new CompletableFuture<>();
            Future<?> muteWaits = pool.submit(() -> {
                muteSaw.complete(mute.readCloseCode()); // ...and never answers
                mute.awaitEndOfStream(GRACE.plus(LATE_SLACK));
                return null;
            });

            long start = System.nanoTime();
            server.stop(GRACE);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(elapsed.compareTo(GRACE.minus(EARLY_SLACK)) >= 0,
                    "stop() returned after " + elapsed.toMillis() + " ms, without waiting for the deadline");
            assertTrue(elapsed.compareTo(GRACE.plus(LATE_SLACK)) < 0,
                    "stop() returned after " + elapsed.toMillis() + " ms, long after its deadline");
            assertEquals(1001, politeAnswer.get(5, TimeUnit.SECONDS));
            assertEquals(1001, muteSaw.get(5, TimeUnit.SECONDS));
            muteWaits.get(GRACE.plus(LATE_SLACK).toMillis(), TimeUnit.MILLISECONDS); // the mute peer saw the end

            Await.until(Duration.ofSeconds(5), () -> events.closes().size() == 2,
                    () -> "onClose calls: " + events.closes());
            List<Integer> codes = events.closes().stream().map(RecordingHandler.Closed::code).sorted().toList();
            assertEquals(List.of(1001, 1006), codes, "the polite peer closed with 1001, the mute one was aborted");
            assertEquals(0, server.connectionCount());
        }
    }

    /**
     * Does what a well-behaved client does: reads the server's close frame, answers with the
     * same code, waits for the server to end TCP, then closes its own end.
     */
    private static int answerClose(RawPeer peer) throws IOException {
        int code = peer.readCloseCode();
        peer.sendClose(code);
        peer.awaitEndOfStream(RawPeer.READ_DEADLINE);
        peer.close();
        return code;
    }

    private static void assertRefusesConnections(int port) {
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }, "a stopped server still accepts connections");
    }
}
