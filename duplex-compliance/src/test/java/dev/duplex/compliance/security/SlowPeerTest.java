package dev.duplex.compliance.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.OutboundLimitException;
import dev.duplex.Route;
import dev.duplex.ServerLimits;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.Await;
import dev.duplex.compliance.robustness.RawPeer;
import dev.duplex.compliance.robustness.RecordingHandler;
import dev.duplex.compliance.robustness.ReturnsToBaseline;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Slow and dead peers (rows D3, F4, H1, H2, H5): a reader that stops reading, a handler slower
 * than its sender, many incomplete messages at once, and bytes dripped to keep a frame or a
 * message from ever finishing. Row F3 (keepalive) is {@code robustness/KeepaliveTest}.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class SlowPeerTest {
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(5);

    private WebSocketServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private WebSocketServer start(ConnectionOptions options, ServerLimits limits, WebSocketHandler handler) {
        server = WebSocketServer.builder().host("127.0.0.1").port(0).limits(limits)
                .route("/slow", new Route(handler, List.of(), options))
                .route("/canary", RecordingHandler.echo())
                .build().start();
        return server;
    }

    // ---------------------------------------------------------------- H1

    @Test
    void H1_sendsToAPeerThatStopsReadingFailPastTheHardLimitAndThePeerIsAbortedAtTheStallDeadline() throws Exception {
        // Above what loopback's kernel buffers can take in (Linux: up to about 4 MiB each way),
        // so the queue cannot drain into them and the writer must stall.
        long hard = 16 << 20;
        Duration stall = Duration.ofMillis(500);
        RecordingHandler events = RecordingHandler.silent();
        start(ConnectionOptions.builder().outboundSoftLimit(64 * 1024).outboundHardLimit(hard)
                .writeStallTimeout(stall).build(), ServerLimits.DEFAULTS, events);
        try (RawPeer peer = RawPeer.connect(server.port(), "/slow", 4096)) { // small window, never read
            WebSocket socket = events.awaitOpen();
            ByteBuffer message = ByteBuffer.allocate(64 * 1024);
            long maxBuffered = 0;
            CompletableFuture<Void> refused = null;
            long start = System.nanoTime();
            for (int i = 0; i < 10_000 && refused == null; i++) {
                CompletableFuture<Void> f = socket.sendBinary(message.duplicate());
                maxBuffered = Math.max(maxBuffered, socket.bufferedAmount());
                if (f.isCompletedExceptionally()) {
                    refused = f;
                }
            }
            // Past the limit only the 1013 close frame (at most 127 bytes) is queued (row H10).
            assertTrue(maxBuffered <= hard + 127, "the queue held " + maxBuffered + " bytes, past the hard limit " + hard);
            assertTrue(refused != null, "no send failed at the hard limit");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, refused::get);
            assertInstanceOf(OutboundLimitException.class, e.getCause());

            RecordingHandler.Closed closed = events.awaitClose(stall.plus(LATE_SLACK));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1013, closed.code(), "the refused send closed it; the stall deadline then ended the socket");
            assertTrue(took.compareTo(stall.minus(EARLY_SLACK)) >= 0, "aborted after " + took.toMillis() + " ms");
            peer.awaitEndOfStream(LATE_SLACK);
        }
    }

    // ---------------------------------------------------------------- H2

    @Test
    void H2_slowHandlerStopsTheReadsSoAFastSenderIsHeldBackByTcpAndNothingIsLost() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(1);
        int messages = 1024;
        int size = 64 * 1024; // 64 MiB in all, far more than any socket buffer
        start(ConnectionOptions.DEFAULTS, ServerLimits.DEFAULTS, (socket, message) -> {
            try {
                release.await(30, TimeUnit.SECONDS); // the slow application
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int index = ByteBuffer.wrap(((Message.Binary) message).data()).getInt();
            if (index != received.getAndIncrement()) {
                outOfOrder.incrementAndGet();
            }
            if (index == messages - 1) {
                all.countDown();
            }
        });
        long heapBefore = usedHeapAfterGc();
        try (RawPeer peer = RawPeer.connect(server.port(), "/slow");
             RawPeer canary = RawPeer.connect(server.port(), "/canary")) {
            AtomicLong written = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] payload = new byte[size];
                try {
                    for (int i = 0; i < messages; i++) {
                        ByteBuffer.wrap(payload).putInt(0, i);
                        byte[] frame = RawPeer.frame(true, 0, RawPeer.BINARY, payload, true);
                        peer.send(frame);
                        written.addAndGet(frame.length);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long[] last = {-1};
            Await.until(Duration.ofSeconds(20), () -> {
                long now = written.get();
                boolean stalled = now == last[0] && now > 0;
                last[0] = now;
                return stalled;
            }, () -> "the sender never stalled; written " + written.get());
            long whileStalled = written.get();
            assertFalse(writer.isDone(), "the whole 64 MiB went in while the handler was blocked");
            assertTrue(whileStalled < 32L << 20, "the server took in " + whileStalled + " bytes for a blocked handler");
            long growth = usedHeapAfterGc() - heapBefore;
            assertTrue(growth < 32L << 20, "heap grew by " + growth + " bytes while the handler was blocked");
            canary.sendText("unaffected");
            assertEquals("unaffected", canary.readFrame().text());

            release.countDown();
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(all.await(30, TimeUnit.SECONDS), "received " + received.get() + " of " + messages);
            assertEquals(messages, received.get());
            assertEquals(0, outOfOrder.get(), "messages arrived out of order");
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---------------------------------------------------------------- H5

    @Test
    void H5_incompleteMessagesShareOneBudgetAndTheConnectionThatPassesItGets1013() throws Exception {
        int budget = 64_000;
        start(ConnectionOptions.DEFAULTS, ServerLimits.builder().incompleteMessageBudget(budget).build(),
                RecordingHandler.echo());
        try (RawPeer a = RawPeer.connect(server.port(), "/slow");
             RawPeer b = RawPeer.connect(server.port(), "/slow")) {
            holdIncomplete(a, 39_999);
            holdIncomplete(b, budget - 39_999); // exactly the budget: allowed
            b.sendFrame(false, RawPeer.CONTINUATION, new byte[1]); // one byte past it
            RawPeer.Frame close = b.readFrame();
            assertEquals(1013, close.closeCode(), "the connection asking for more is told to try again later");

            a.sendFrame(true, RawPeer.CONTINUATION, new byte[1]);
            RawPeer.Frame echoed = a.readFrame();
            assertEquals(40_000, echoed.payload().length, "the connection within the budget is unaffected");
        }
        // Both gave their share back: a new connection can hold as much as b did.
        try (RawPeer c = RawPeer.connect(server.port(), "/slow")) {
            holdIncomplete(c, budget);
            c.sendFrame(true, RawPeer.CONTINUATION, new byte[0]);
            assertEquals(budget, c.readFrame().payload().length);
        }
    }

    /**
     * Sends the first {@code bytes} of a fragmented binary message, then two pings, each after
     * the pong of the one before: the second ping is read after the read that held the
     * fragment has been fully handled, so its pong proves the fragment has been charged and
     * the connection was not failed for it.
     */
    private static void holdIncomplete(RawPeer peer, int bytes) throws IOException {
        peer.sendFrame(false, RawPeer.BINARY, new byte[bytes]);
        for (int i = 0; i < 2; i++) {
            peer.sendFrame(true, RawPeer.PING, new byte[] {(byte) i});
            RawPeer.Frame pong = peer.readFrame();
            assertEquals(RawPeer.PONG, pong.opcode(), () -> "expected a pong, got " + pong);
        }
    }

    // ---------------------------------------------------------------- F4, D3

    @Test
    void F4_frameDrippedOneByteAtATimeIsFailedWith1008AtTheFrameDeadline() throws Exception {
        Duration frameTimeout = Duration.ofMillis(400);
        start(ConnectionOptions.builder().frameTimeout(frameTimeout).messageTimeout(Duration.ZERO).build(),
                ServerLimits.DEFAULTS, RecordingHandler.echo());
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (RawPeer peer = RawPeer.connect(server.port(), "/slow");
             RawPeer canary = RawPeer.connect(server.port(), "/canary")) {
            byte[] frame = RawPeer.frame(true, 0, RawPeer.TEXT, new byte[100], true);
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            // A byte every 30 ms: never idle for long, and 106 bytes would take over 3 s.
            drip.scheduleAtFixedRate(() -> {
                int i = next.getAndIncrement();
                if (i < frame.length) {
                    try {
                        peer.send(new byte[] {frame[i]});
                    } catch (IOException closed) {
                        next.set(frame.length);
                    }
                }
            }, 0, 30, TimeUnit.MILLISECONDS);
            RawPeer.Frame close = peer.readFrame(frameTimeout.plus(LATE_SLACK));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1008, close.closeCode());
            assertTrue(took.compareTo(frameTimeout.minus(EARLY_SLACK)) >= 0, "failed after " + took.toMillis() + " ms");
            assertTrue(next.get() < frame.length, "the frame completed before the deadline fired");
            canary.sendText("unaffected");
            assertEquals("unaffected", canary.readFrame().text());
        } finally {
            drip.shutdownNow();
        }
    }

    @Test
    void D3_messageWhoseFragmentsTrickleInIsFailedWith1008AtTheMessageDeadline() throws Exception {
        Duration messageTimeout = Duration.ofMillis(500);
        start(ConnectionOptions.builder().messageTimeout(messageTimeout).build(), ServerLimits.DEFAULTS,
                RecordingHandler.echo());
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        try (RawPeer peer = RawPeer.connect(server.port(), "/slow")) {
            long start = System.nanoTime();
            peer.sendFrame(false, RawPeer.TEXT, new byte[] {'x'});
            // A complete fragment every 50 ms: each frame is on time, the message never ends.
            drip.scheduleAtFixedRate(() -> {
                try {
                    peer.sendFrame(false, RawPeer.CONTINUATION, new byte[] {'x'});
                } catch (IOException closed) {
                    // the server has given up: what the test waits for
                }
            }, 50, 50, TimeUnit.MILLISECONDS);
            RawPeer.Frame frame;
            do {
                frame = peer.readFrame(messageTimeout.plus(LATE_SLACK));
            } while (frame.opcode() == RawPeer.PONG);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1008, frame.closeCode(), "reason: " + new String(frame.payload(), java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(took.compareTo(messageTimeout.minus(EARLY_SLACK)) >= 0, "failed after " + took.toMillis() + " ms");
        } finally {
            drip.shutdownNow();
        }
    }

    @Test
    void F4_timeTheHandlerTakesDoesNotCountAgainstThePeer() throws Exception {
        Duration messageTimeout = Duration.ofMillis(300);
        CountDownLatch never = new CountDownLatch(1);
        RecordingHandler echo = RecordingHandler.echo();
        start(ConnectionOptions.builder().messageTimeout(messageTimeout).build(), ServerLimits.DEFAULTS,
                new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        echo.onMessage(socket, message);
                    }

                    @Override
                    public void onPing(WebSocket socket, byte[] payload) {
                        if (payload.length > 0 && payload[0] == 2) {
                            try {
                                never.await(3 * messageTimeout.toMillis(), TimeUnit.MILLISECONDS); // a slow application
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                });
        try (RawPeer peer = RawPeer.connect(server.port(), "/slow")) {
            peer.sendFrame(false, RawPeer.TEXT, "a".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            peer.sendFrame(true, RawPeer.PING, new byte[] {1});
            assertEquals(RawPeer.PONG, peer.readFrame().opcode()); // the message is incomplete: its deadline runs
            peer.sendFrame(true, RawPeer.PING, new byte[] {2}); // the handler takes 3 deadlines over this one
            peer.sendFrame(true, RawPeer.CONTINUATION, "b".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            RawPeer.Frame frame;
            do {
                frame = peer.readFrame();
            } while (frame.opcode() == RawPeer.PONG);
            assertEquals(RawPeer.TEXT, frame.opcode(), () -> "expected the echo, got a close: the handler's time was counted");
            assertEquals("ab", frame.text());
        }
    }
}
