package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Twenty connections that are not under attack (the catalogue's invariant: only the offending
 * connection is affected). Around each row they run rounds: each canary sends numbered
 * messages, pipelined, and must get every one back exactly once and in order. A reader per
 * canary answers the server's keepalive pings, so canaries also live on servers with
 * keepalive on; anything else that arrives (a close frame, a stray message) fails the next
 * round.
 */
final class Canaries implements AutoCloseable {
    static final int COUNT = 20;
    private static final int PER_ROUND = 5;
    private static final Duration ROUND_DEADLINE = Duration.ofSeconds(10);

    private final List<Canary> canaries = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** A round in progress, one task per canary. */
    record Round(List<Future<?>> tasks) {}

    /** Opens the canaries; {@code connect} opens and upgrades one connection. */
    static Canaries open(Connect connect) throws IOException {
        Canaries c = new Canaries();
        try {
            for (int i = 0; i < COUNT; i++) {
                c.canaries.add(new Canary(i, connect.open("/echo?id=canary-" + i), c.threads));
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Opens an upgraded connection to a path. */
    @FunctionalInterface
    interface Connect {
        RawPeer open(String target) throws IOException;
    }

    Round start() {
        List<Future<?>> tasks = new ArrayList<>();
        for (Canary canary : canaries) {
            tasks.add(threads.submit(() -> {
                canary.round();
                return null;
            }));
        }
        return new Round(tasks);
    }

    /** Waits for a round; fails with the first canary's problem. */
    void await(Round round) throws Exception {
        long deadline = System.nanoTime() + ROUND_DEADLINE.toNanos();
        for (Future<?> task : round.tasks()) {
            try {
                task.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("a canary round did not finish within " + ROUND_DEADLINE.toSeconds() + " s", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception x) {
                    throw x;
                }
                throw new AssertionError(e.getCause());
            }
        }
    }

    /** Messages each canary got back so far, all of them. */
    int echoed() {
        return canaries.stream().mapToInt(c -> c.next).sum();
    }

    @Override
    public void close() {
        for (Canary canary : canaries) {
            canary.close();
        }
        threads.shutdownNow();
    }

    private static final class Canary {
        private final int number;
        private final RawPeer peer;
        private final ReentrantLock writing = new ReentrantLock();
        private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        private int next;

        Canary(int number, RawPeer peer, ExecutorService threads) {
            this.number = number;
            this.peer = peer;
            threads.submit(this::read);
        }

        /** Sends PER_ROUND messages at once, then expects their echoes, in order, once each. */
        void round() throws Exception {
            for (int i = next; i < next + PER_ROUND; i++) {
                send(RawPeer.frame(true, 0, RawPeer.TEXT, message(i).getBytes(UTF_8), true));
            }
            for (int i = next; i < next + PER_ROUND; i++) {
                Object got = arrived.poll(ROUND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                String expected = message(i);
                if (!(got instanceof RawPeer.Frame frame) || frame.opcode() != RawPeer.TEXT || !frame.text().equals(expected)) {
                    throw new AssertionError("canary " + number + " expected the echo of message " + i + ", got " + got);
                }
            }
            next += PER_ROUND;
        }

        /** Message i: its number, padded so that lengths cross the 125/126 boundary. */
        private String message(int i) {
            return "canary " + number + " message " + i + " " + "x".repeat((number * 7 + i * 13) % 200);
        }

        private void read() {
            try {
                while (true) {
                    RawPeer.Frame frame = peer.readFrame(Duration.ofDays(1));
                    if (frame.opcode() == RawPeer.PING) {
                        send(RawPeer.frame(true, 0, RawPeer.PONG, frame.payload(), true));
                    } else {
                        arrived.add(frame); // a message, or anything a canary should never get
                    }
                }
            } catch (IOException | RuntimeException | AssertionError e) {
                arrived.add("connection ended: " + e);
            }
        }

        private void send(byte[] bytes) throws IOException {
            writing.lock();
            try {
                peer.send(bytes);
            } finally {
                writing.unlock();
            }
        }

        void close() {
            try {
                peer.close();
            } catch (IOException ignored) {
                // closing a test socket; nothing to do
            }
        }
    }
}
