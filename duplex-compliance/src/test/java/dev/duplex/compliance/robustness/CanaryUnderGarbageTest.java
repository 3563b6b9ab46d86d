package dev.duplex.compliance.robustness;

import static dev.duplex.compliance.robustness.RawPeer.BINARY;
import static dev.duplex.compliance.robustness.RawPeer.CLOSE;
import static dev.duplex.compliance.robustness.RawPeer.CONTINUATION;
import static dev.duplex.compliance.robustness.RawPeer.PING;
import static dev.duplex.compliance.robustness.RawPeer.TEXT;
import static dev.duplex.compliance.robustness.RawPeer.frame;
import static dev.duplex.compliance.robustness.RawPeer.headerBytes;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The catalogue's invariant over real sockets: while connections are failed for garbage,
 * every other connection keeps delivering each of its messages exactly once and in order.
 * 200 canaries each send 20 numbered messages, half before the garbage starts and half while
 * it is being sent; each garbage connection must get its own close code and then the end of
 * the stream.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class CanaryUnderGarbageTest {
    private static final int CANARIES = 200;
    private static final int MESSAGES_PER_PHASE = 10;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    /** One kind of garbage, the bytes that carry it, and the close code the server must send. */
    record Garbage(String name, byte[] bytes, int expectedCode) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Garbage> garbage() {
        byte[] hi = "hi".getBytes(UTF_8);
        return List.of(
                new Garbage("C1 unmasked client frame", frame(true, 0, TEXT, hi, false), 1002),
                new Garbage("C3 RSV1 with no extension", frame(true, 0x40, TEXT, hi, true), 1002),
                new Garbage("C5 reserved data opcode 3", frame(true, 0, 0x3, hi, true), 1002),
                new Garbage("C5 reserved control opcode 0xB", frame(true, 0, 0xB, hi, true), 1002),
                new Garbage("C6 ping of 126 bytes", frame(true, 0, PING, new byte[126], true), 1002),
                new Garbage("C6 fragmented ping", frame(false, 0, PING, hi, true), 1002),
                new Garbage("C7 continuation with nothing to continue", frame(true, 0, CONTINUATION, hi, true), 1002),
                new Garbage("C7 new message inside a fragmented one",
                        concat(frame(false, 0, TEXT, hi, true), frame(true, 0, BINARY, hi, true)), 1002),
                new Garbage("C9 64-bit length 2^63 (top bit set)", headerBytes(0x80 | BINARY, Long.MIN_VALUE, true), 1002),
                new Garbage("C9 64-bit length 2^63-1", headerBytes(0x80 | BINARY, Long.MAX_VALUE, true), 1009),
                new Garbage("D4 overlong UTF-8", frame(true, 0, TEXT, new byte[] {(byte) 0xC0, (byte) 0xAF}, true), 1007),
                new Garbage("D4 surrogate in an unfinished fragment",
                        frame(false, 0, TEXT, new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80}, true), 1007),
                new Garbage("E1 close payload of one byte", frame(true, 0, CLOSE, new byte[] {3}, true), 1002),
                new Garbage("E3 close code 1005 on the wire", frame(true, 0, CLOSE, new byte[] {3, (byte) 0xED}, true), 1002),
                new Garbage("E6 invalid UTF-8 in a close reason",
                        frame(true, 0, CLOSE, new byte[] {3, (byte) 0xE8, (byte) 0xFF}, true), 1007),
                // 'G' is 0x47: RSV1 set and reserved opcode 7, and 'E' leaves it unmasked: 1002 whichever is seen first.
                new Garbage("HTTP after the upgrade", "GET / HTTP/1.1\r\n\r\n".getBytes(ISO_8859_1), 1002));
    }

    @Test
    void everyCanaryMessageArrivesOnceAndInOrderWhileGarbageConnectionsAreFailed() throws Exception {
        RecordingHandler events = RecordingHandler.echo();
        List<Garbage> garbage = garbage();
        try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/echo", events).build().start();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch firstHalfEchoed = new CountDownLatch(CANARIES);
            List<Future<?>> canaries = new ArrayList<>();
            for (int c = 0; c < CANARIES; c++) {
                int canary = c;
                canaries.add(pool.submit(() -> {
                    runCanary(server.port(), canary, firstHalfEchoed);
                    return null;
                }));
            }
            assertTrue(firstHalfEchoed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS),
                    "the canaries' first halves were not all echoed in time");

            // The second halves go out now, while the garbage does.
            List<Future<?>> offenders = new ArrayList<>();
            for (Garbage g : garbage) {
                offenders.add(pool.submit(() -> {
                    runOffender(server.port(), g);
                    return null;
                }));
            }
            for (Future<?> f : offenders) {
                f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
            for (Future<?> f : canaries) {
                f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }

            Await.until(Duration.ofSeconds(10), () -> events.closes().size() == CANARIES + garbage.size(),
                    () -> "onClose calls: " + events.closes().size());
            List<Integer> expected = new ArrayList<>();
            garbage.forEach(g -> expected.add(g.expectedCode()));
            for (int i = 0; i < CANARIES; i++) {
                expected.add(1000);
            }
            List<Integer> seen = events.closes().stream().map(RecordingHandler.Closed::code).toList();
            assertEquals(expected.stream().sorted().toList(), seen.stream().sorted().toList(),
                    "each canary closes with 1000 and each offender with its own code, once each");
            assertTrue(events.errors().isEmpty(), () -> "onError was called: " + events.errors());
        }
    }

    /** Sends numbered messages in two halves and checks that the echoes match, one for one. */
    private static void runCanary(int port, int canary, CountDownLatch firstHalfEchoed) throws Exception {
        try (RawPeer peer = RawPeer.connect(port, "/echo")) {
            for (int half = 0; half < 2; half++) {
                int first = half * MESSAGES_PER_PHASE;
                // Pipelined: all sent before any echo is read, so order is the server's to keep.
                for (int i = first; i < first + MESSAGES_PER_PHASE; i++) {
                    peer.sendText(message(canary, i));
                }
                for (int i = first; i < first + MESSAGES_PER_PHASE; i++) {
                    RawPeer.Frame echo = peer.readFrame();
                    String expected = message(canary, i);
                    assertEquals(TEXT, echo.opcode(), () -> "canary " + canary + " expected a text echo, got " + echo);
                    assertEquals(expected, echo.text(), "canary " + canary + " got a message out of order or twice");
                }
                if (half == 0) {
                    firstHalfEchoed.countDown();
                }
            }
            peer.sendClose(1000);
            // Exactly once: after the last echo the next frame is the close, nothing else.
            assertEquals(1000, peer.readCloseCode(), "canary " + canary);
            peer.awaitEndOfStream(RawPeer.READ_DEADLINE);
        }
    }

    /**
     * Message {@code i} of a canary: its number, then padding whose length varies so that
     * payloads cross the 125/126 length-encoding boundary.
     */
    private static String message(int canary, int i) {
        String head = "canary " + canary + " message " + i + " ";
        return head + "x".repeat((canary * 7 + i * 13) % 200);
    }

    private static void runOffender(int port, Garbage garbage) throws Exception {
        try (RawPeer peer = RawPeer.connect(port, "/echo")) {
            peer.send(garbage.bytes());
            assertEquals(garbage.expectedCode(), peer.readCloseCode(), garbage.name());
            peer.awaitEndOfStream(RawPeer.READ_DEADLINE);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
