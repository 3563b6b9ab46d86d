package dev.duplex.compliance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.ConnectionOptions;
import dev.duplex.OutboundLimitException;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Rows H1 and H6 over a real socket, with a raw peer that stops reading. Its receive buffer
 * is made small and the server's socket send buffer is at most 4 MiB (Linux's tcp_wmem
 * maximum), so a 12 MiB message can never be written out: from the moment it is queued the
 * queue's size is fixed, and the tests can reason about it exactly.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class SlowReaderTest {
    static final int STALLING_MESSAGE = 12 << 20;
    static final int SMALL_RECEIVE_BUFFER = 4096;
    private static final long SOFT_LIMIT = 64 * 1024;
    private static final long HARD_LIMIT = 16 << 20;
    private static final Duration STALL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(5);

    private static WebSocketServer server(RecordingHandler events, Duration stallTimeout) {
        return WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder()
                        .outboundSoftLimit(SOFT_LIMIT).outboundHardLimit(HARD_LIMIT)
                        .writeStallTimeout(stallTimeout).build())
                .route("/echo", events)
                .build().start();
    }

    @Test
    void H1_peerThatStopsReadingIsAbortedAfterTheWriteStallTimeoutAndTheQueueStaysUnderTheHardLimit() throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        try (WebSocketServer server = server(events, STALL_TIMEOUT)) {
            try (RawPeer peer = RawPeer.connect(server.port(), "/echo", SMALL_RECEIVE_BUFFER)) {
                WebSocket socket = events.awaitOpen();
                assertTrue(socket.isWritable(), "an empty queue is writable");

                // Before the first send, so before any write progress the watchdog measures from.
                long start = System.nanoTime();
                CompletableFuture<Void> stalled = socket.sendBinary(new byte[STALLING_MESSAGE]);
                assertFalse(socket.isWritable(), "past the soft limit, isWritable turns false");
                assertTrue(socket.bufferedAmount() >= STALLING_MESSAGE);

                byte[] chunk = new byte[1 << 20];
                CompletableFuture<Void> refused = null;
                for (int i = 0; i < 16 && refused == null; i++) {
                    CompletableFuture<Void> f = socket.sendBinary(chunk);
                    assertTrue(socket.bufferedAmount() <= HARD_LIMIT + 127, // and the 1013 close frame (row H10)
                            "bufferedAmount " + socket.bufferedAmount() + " passed the hard limit");
                    if (f.isDone()) {
                        refused = f; // nothing can complete normally behind the stalled message
                    }
                }
                assertTrue(refused != null, "no send was refused at the hard limit");
                assertOutboundLimitException(refused);

                RecordingHandler.Closed closed = events.awaitClose(STALL_TIMEOUT.plus(LATE_SLACK));
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                // The refused send closed the connection with 1013 (row H10); its close frame
                // waits behind the stalled message, so the watchdog still ends the connection.
                assertEquals(1013, closed.code(), "a connection closed for a refused send reports 1013");
                assertTrue(elapsed.compareTo(STALL_TIMEOUT.minus(EARLY_SLACK)) >= 0,
                        "aborted " + elapsed.toMillis() + " ms after the first send, before the stall timeout");
                assertTrue(stalled.isCompletedExceptionally(), "a send that was never written must fail");
                peer.awaitEndOfStream(LATE_SLACK);
            }
        }
    }

    @Test
    void H6_bufferChangedAfterSendReturnsDoesNotChangeTheBytesSent() throws Exception {
        RecordingHandler events = RecordingHandler.silent();
        // The watchdog must not fire while the peer holds back, so it gets plenty of time.
        try (WebSocketServer server = server(events, Duration.ofSeconds(30));
             RawPeer peer = RawPeer.connect(server.port(), "/echo", SMALL_RECEIVE_BUFFER)) {
            WebSocket socket = events.awaitOpen();
            socket.sendBinary(new byte[STALLING_MESSAGE]); // holds the writer back
            byte[] buffer = new byte[64 * 1024];
            Arrays.fill(buffer, (byte) 'A');
            CompletableFuture<Void> first = socket.sendBinary(buffer);
            Arrays.fill(buffer, (byte) 'B'); // an application reusing its buffer
            CompletableFuture<Void> second = socket.sendBinary(buffer);

            assertEquals(STALLING_MESSAGE, peer.readFrame().payload().length);
            byte[] a = peer.readFrame().payload();
            byte[] b = peer.readFrame().payload();
            first.get(5, TimeUnit.SECONDS);
            second.get(5, TimeUnit.SECONDS);
            assertTrue(allEqual(a, (byte) 'A'), "the first message changed after sendBinary returned");
            assertTrue(allEqual(b, (byte) 'B'));
        }
    }

    static void assertOutboundLimitException(CompletableFuture<Void> future) throws InterruptedException {
        assertTrue(future.isCompletedExceptionally(), "the refused send should fail at once, not wait");
        try {
            future.get();
            fail("a refused send completed normally");
        } catch (ExecutionException e) {
            assertInstanceOf(OutboundLimitException.class, e.getCause());
        }
    }

    private static boolean allEqual(byte[] bytes, byte value) {
        for (byte b : bytes) {
            if (b != value) {
                return false;
            }
        }
        return true;
    }
}
