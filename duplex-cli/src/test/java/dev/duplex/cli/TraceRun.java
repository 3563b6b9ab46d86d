package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code duplex trace} run in this JVM through {@link Main#run}, as a user runs it: its output
 * captured, its port read from the banner, stopped by interrupting its thread.
 */
final class TraceRun implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+),");
    static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final long POLL_NANOS = Duration.ofMillis(10).toNanos();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread thread;
    private volatile int exitStatus = -1;
    private final int port;

    private TraceRun(String... args) {
        List<String> all = new ArrayList<>(List.of("trace", "--listen", "0"));
        all.addAll(List.of(args));
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        thread = new Thread(() -> exitStatus = Main.run(all.toArray(String[]::new),
                new ByteArrayInputStream(new byte[0]), o, e), "trace-under-test");
        thread.start();
        Matcher[] m = new Matcher[1];
        until(() -> (m[0] = LISTENING.matcher(err())).find() || exitStatus >= 0,
                () -> "the trace never said where it listens; stderr: " + err());
        if (exitStatus >= 0) {
            fail("trace exited with " + exitStatus + ": " + err());
        }
        port = Integer.parseInt(m[0].group(1));
    }

    /** Starts {@code duplex trace --listen 0} with these further arguments. */
    static TraceRun start(String... args) {
        return new TraceRun(args);
    }

    int port() {
        return port;
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Every line of {@code --json} output so far, parsed. */
    List<Map<String, Object>> json() {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : out().split("\n")) {
            if (!line.isEmpty()) {
                lines.add(TraceJson.object(line));
            }
        }
        return lines;
    }

    /** Waits until the JSON output has a line that matches, and returns the lines so far. */
    List<Map<String, Object>> awaitJson(Predicate<Map<String, Object>> wanted, String what) {
        until(() -> json().stream().anyMatch(wanted), () -> "no " + what + " in the trace:\n" + out());
        return json();
    }

    /** Waits until the text output contains {@code text}. */
    String awaitText(String text) {
        until(() -> out().contains(text), () -> "no '" + text + "' in the trace:\n" + out());
        return out();
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(DEADLINE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            fail("the trace did not stop when interrupted");
        }
    }

    /** Polls a condition until a deadline; fails with the message when it never holds. */
    static void until(BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message.get());
            }
            LockSupport.parkNanos(POLL_NANOS); // output has no signal to wait on; the deadline bounds this
        }
    }
}
