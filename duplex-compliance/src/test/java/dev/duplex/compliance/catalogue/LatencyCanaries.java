package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Twenty connections that echo while an attack runs, each with one message in flight at a
 * time, so that every round trip is a latency sample. Each message carries its canary and
 * sequence number: an echo that is missing, repeated, out of order or changed is an error.
 * The server's keepalive pings are answered. {@link #stop()} ends them and reports. They run
 * on platform threads, which the operating system schedules fairly beside the attackers', so
 * a latency sample measures the server, not this JVM's scheduler.
 */
final class LatencyCanaries implements AutoCloseable {
    static final int COUNT = 20;
    private static final Duration ECHO_DEADLINE = Duration.ofSeconds(10);

    /** What the canaries saw between start and stop. */
    record Report(long echoes, long[] sortedNanos, List<String> errors) {
        long p99Millis() {
            if (sortedNanos.length == 0) {
                return Long.MAX_VALUE;
            }
            return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.ceil(sortedNanos.length * 0.99) - 1)] / 1_000_000;
        }

        @Override
        public String toString() {
            return echoes + " echoes, p99 " + p99Millis() + " ms, errors " + errors;
        }
    }

    private final List<RawPeer> peers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    /** Opens the canaries on /echo; they echo once {@link #start()} is called. */
    static LatencyCanaries open(Transport transport, int port) throws IOException {
        LatencyCanaries c = new LatencyCanaries();
        try {
            for (int i = 0; i < COUNT; i++) {
                c.peers.add(ChildClients.upgrade(transport, port, "/echo?canary=" + i, 0));
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Starts every canary echoing, one message in flight each. */
    void start() {
        for (int i = 0; i < COUNT; i++) {
            int number = i;
            threads.add(Thread.ofPlatform().daemon().name("canary-" + i).start(() -> run(number)));
        }
    }

    private void run(int number) {
        RawPeer peer = peers.get(number);
        long sequence = 0;
        try {
            while (running.get()) {
                String text = "canary " + number + " message " + sequence + " " + "x".repeat((int) (sequence * 13 % 200));
                long sent = System.nanoTime();
                peer.send(RawPeer.frame(true, 0, RawPeer.TEXT, text.getBytes(UTF_8), true));
                RawPeer.Frame frame = peer.readFrame(ECHO_DEADLINE);
                while (frame.opcode() == RawPeer.PING) {
                    peer.send(RawPeer.frame(true, 0, RawPeer.PONG, frame.payload(), true));
                    frame = peer.readFrame(ECHO_DEADLINE);
                }
                samples.add(System.nanoTime() - sent);
                if (frame.opcode() != RawPeer.TEXT || !frame.text().equals(text)) {
                    errors.add("canary " + number + " expected the echo of message " + sequence + ", got " + frame);
                    return;
                }
                sequence++;
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            errors.add("canary " + number + " after " + sequence + " echoes: " + e);
        }
    }

    /**
     * Waits until the canaries have echoed {@code echoes} messages between them, then forgets
     * those samples: the first round trips of a fresh JVM measure its compiler, not the server.
     */
    void warmUp(int echoes, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (samples.size() < echoes && errors.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(10); // polling a count that nothing signals, under a deadline
        }
        if (samples.size() < echoes) {
            throw new AssertionError("the canaries echoed only " + samples.size() + " messages before any attack: " + errors);
        }
        samples.clear();
    }

    /** Ends the canaries' loops and reports; the connections stay open until {@link #close()}. */
    Report stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            if (!t.join(ECHO_DEADLINE.plusSeconds(5))) {
                errors.add(t.getName() + " did not end");
            }
        }
        long[] nanos = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(nanos);
        return new Report(nanos.length, nanos, List.copyOf(errors));
    }

    @Override
    public void close() {
        running.set(false);
        for (RawPeer p : peers) {
            try {
                p.close();
            } catch (IOException e) {
                // closing is best effort
            }
        }
    }
}
