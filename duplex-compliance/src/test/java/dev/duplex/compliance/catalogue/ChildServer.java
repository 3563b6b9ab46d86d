package dev.duplex.compliance.catalogue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code duplex serve} in a child JVM with a capped heap ({@link #HEAP}), started as a user
 * would start it, so that an attack that would exhaust memory or descriptors ends that process
 * and not the test's. Its output is kept for the test to search; {@link #stats()} asks it for
 * heap, threads and descriptors.
 */
final class ChildServer implements AutoCloseable {
    static final String HEAP = "-Xmx256m";
    private static final Pattern LISTENING = Pattern.compile("listening on (https?)://[^:]+:(\\d+)/");
    private static final Pattern CAP = Pattern.compile("at most (\\d+) connections at once");
    private static final Pattern STATS = Pattern.compile("STATS heap=(\\d+) threads=(\\d+) fds=(\\d+)");
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    /** What the process reported of itself. */
    record Stats(long heap, long threads, long fds) {
        /** Whether each figure is within 10% of {@code baseline}, plus {@code slack} for small ones. */
        boolean within(Stats baseline, long heapSlack, long countSlack) {
            return heap <= baseline.heap * 1.10 + heapSlack
                    && threads <= baseline.threads * 1.10 + countSlack
                    && fds <= baseline.fds * 1.10 + countSlack;
        }

        @Override
        public String toString() {
            return "heap " + heap / 1024 + " KiB, " + threads + " threads, " + fds + " fds";
        }
    }

    private final Process process;
    private final OutputStream control;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Stats> stats = new LinkedBlockingQueue<>();

    private ChildServer(Process process, int port, List<String> banner, BufferedReader out) {
        this.process = process;
        this.control = process.getOutputStream();
        this.port = port;
        output.addAll(banner);
        Thread.ofVirtual().start(() -> read(out));
    }

    /**
     * Starts {@code duplex serve --port 0} with {@code flags}; for wss with a certificate for
     * 127.0.0.1 and localhost from {@code pem} ({cert, key}). {@code fileLimit}, when positive,
     * is the child's limit on open files ({@code ulimit -n}).
     */
    static ChildServer start(Transport transport, Path[] pem, int fileLimit, List<String> flags) throws IOException {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-cp", System.getProperty("java.class.path"), MeasuredServe.class.getName(),
                "serve", "--port", "0"));
        if (transport == Transport.WSS) {
            java.addAll(List.of("--tls-cert", pem[0].toString(), "--tls-key", pem[1].toString()));
        }
        java.addAll(flags);
        List<String> command = new ArrayList<>();
        if (fileLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + fileLimit + " && exec \"$@\"", "ulimit"));
        }
        command.addAll(java);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> banner = new ArrayList<>();
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        int port = -1;
        for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            banner.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(2));
            }
            if (line.contains("Ctrl-C")) {
                break;
            }
        }
        if (port < 0) {
            process.destroyForcibly();
            throw new IllegalStateException("duplex serve did not start: " + banner);
        }
        return new ChildServer(process, port, banner, out);
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The connection cap the banner states, or -1 when it states none. */
    int maxConnections() {
        for (String line : output) {
            Matcher m = CAP.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    /** Descriptors the process has open, counted from outside it (it may have none left). */
    long openFiles() throws IOException {
        try (java.util.stream.Stream<Path> fds = java.nio.file.Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    /** Every line the process printed so far. */
    List<String> output() {
        return List.copyOf(output);
    }

    /** Whether some line printed so far contains {@code text}. */
    boolean printed(String text) {
        return output.stream().anyMatch(line -> line.contains(text));
    }

    /** Asks the process for its figures, after a collection; fails after {@code deadline}. */
    Stats stats(Duration deadline) throws IOException, InterruptedException {
        stats.clear();
        control.write("stats\n".getBytes(StandardCharsets.UTF_8));
        control.flush();
        Stats s = stats.poll(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (s == null) {
            throw new AssertionError("the server did not report its figures within " + deadline.toSeconds()
                    + " s; alive: " + process.isAlive() + "; last lines: " + tail());
        }
        return s;
    }

    /** The last lines printed, for a failure message. */
    String tail() {
        List<String> all = output();
        return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
    }

    private void read(BufferedReader out) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = STATS.matcher(line);
                if (m.find()) {
                    stats.add(new Stats(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
                } else if (output.size() < 10_000) {
                    output.add(line);
                }
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the server's stop runs, as after Ctrl-C
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("duplex serve ignored SIGTERM for 20 s");
        }
    }
}
