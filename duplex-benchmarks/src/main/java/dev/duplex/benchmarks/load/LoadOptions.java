package dev.duplex.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the load generator does, from its command line.
 *
 * @param host server address (loopback for every run in this project)
 * @param port server port
 * @param path request path of the echo endpoint
 * @param connections connections to open
 * @param inFlight messages each connection keeps in flight
 * @param size payload bytes per message
 * @param text text messages (printable ASCII) rather than binary
 * @param warmup traffic before measuring, not counted
 * @param duration how long to measure; ignored when {@code messages} is set
 * @param messages messages per connection, counted from the start; 0 means run for {@code duration}
 * @param threads selector threads (one per core the generator may use)
 * @param connectConcurrency handshakes in progress at once, so a short accept backlog is not overrun
 * @param serverPid the server's pid, for resident memory; 0 when unknown
 * @param idle idle mode: open the connections, exchange one message on each, then measure memory
 * @param settle how long idle connections sit before memory is measured
 * @param gcBeforeMeasure run {@code jcmd PID GC.run} before each memory reading
 * @param json print one JSON line instead of a table
 * @param label a name carried into the output (server, scenario)
 * @param seed seed for payloads, keys and nonces
 * @param timeout bound on the handshakes, the final drain and the close
 */
public record LoadOptions(
        String host, int port, String path, int connections, int inFlight, int size, boolean text,
        Duration warmup, Duration duration, long messages, int threads, int connectConcurrency,
        long serverPid, boolean idle, Duration settle, boolean gcBeforeMeasure, boolean json,
        String label, long seed, Duration timeout) {

    static final String USAGE = """
            usage: LoadGenerator [options]
              --host H              server address (default 127.0.0.1)
              --port P              server port (default 8080)
              --path /P             echo endpoint (default /echo)
              --connections N       connections (default 10)
              --in-flight K         messages in flight per connection (default 1)
              --size BYTES          payload size (default 32; k and m suffixes: 16k, 1m)
              --type text|binary    message type (default text)
              --warmup SECONDS      unmeasured traffic first (default 2)
              --duration SECONDS    measured time (default 10)
              --messages M          messages per connection instead of a duration
              --threads T           selector threads (default 1)
              --connect-concurrency C  handshakes at once (default 200)
              --idle                open, echo once, sit idle and measure the server's memory
              --server-pid PID      server process, for VmRSS from /proc/PID/status
              --settle SECONDS      idle time before the memory reading (default 3)
              --gc                  jcmd PID GC.run before each memory reading
              --json                one JSON line instead of a table
              --label NAME          carried into the output
              --seed S              randomness seed (default 1)
              --timeout SECONDS     bound on handshakes, drain and close (default 30)
            In idle mode a --duration (or --messages) above 0 then makes every idle connection echo
            for that long, after the memory reading.
            """;

    public LoadOptions {
        if (connections < 1 || inFlight < 1 || size < 0 || threads < 1 || connectConcurrency < 1) {
            throw new IllegalArgumentException("connections, in-flight, threads, connect-concurrency must be >= 1; size >= 0");
        }
    }

    /** Parses the command line. */
    public static LoadOptions parse(String[] args) {
        String host = "127.0.0.1";
        int port = 8080;
        String path = "/echo";
        int connections = 10;
        int inFlight = 1;
        int size = 32;
        boolean text = true;
        Duration warmup = Duration.ofSeconds(2);
        Duration duration = Duration.ofSeconds(10);
        boolean durationGiven = false;
        long messages = 0;
        int threads = 1;
        int connectConcurrency = 200;
        long pid = 0;
        boolean idle = false;
        Duration settle = Duration.ofSeconds(3);
        boolean gc = false;
        boolean json = false;
        String label = "";
        long seed = 1;
        Duration timeout = Duration.ofSeconds(30);
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String name = rest.remove(0);
            switch (name) {
                case "--idle" -> idle = true;
                case "--gc" -> gc = true;
                case "--json" -> json = true;
                case "--help", "-h" -> throw new IllegalArgumentException("");
                default -> {
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    String value = rest.remove(0);
                    switch (name) {
                        case "--host" -> host = value;
                        case "--port" -> port = Integer.parseInt(value);
                        case "--path" -> path = value;
                        case "--connections" -> connections = Integer.parseInt(value);
                        case "--in-flight" -> inFlight = Integer.parseInt(value);
                        case "--size" -> size = (int) parseSize(value);
                        case "--type" -> text = switch (value) {
                            case "text" -> true;
                            case "binary" -> false;
                            default -> throw new IllegalArgumentException("--type is text or binary");
                        };
                        case "--warmup" -> warmup = seconds(value);
                        case "--duration" -> {
                            duration = seconds(value);
                            durationGiven = true;
                        }
                        case "--messages" -> messages = Long.parseLong(value);
                        case "--threads" -> threads = Integer.parseInt(value);
                        case "--connect-concurrency" -> connectConcurrency = Integer.parseInt(value);
                        case "--server-pid" -> pid = Long.parseLong(value);
                        case "--settle" -> settle = seconds(value);
                        case "--label" -> label = value;
                        case "--seed" -> seed = Long.parseLong(value);
                        case "--timeout" -> timeout = seconds(value);
                        default -> throw new IllegalArgumentException("unknown option " + name);
                    }
                }
            }
        }
        if (idle && !durationGiven) {
            duration = Duration.ZERO;
        }
        return new LoadOptions(host, port, path, connections, inFlight, size, text, warmup, duration,
                messages, threads, connectConcurrency, pid, idle, settle, gc, json, label, seed, timeout);
    }

    static long parseSize(String value) {
        String v = value.toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k")) {
            unit = 1024;
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            unit = 1024 * 1024;
            v = v.substring(0, v.length() - 1);
        }
        long n = Long.parseLong(v) * unit;
        if (n > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("size too large: " + value);
        }
        return n;
    }

    private static Duration seconds(String value) {
        return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
    }

    /** Whether connections exchange traffic after the (optional) idle phase. */
    boolean echoes() {
        return messages > 0 || !duration.isZero();
    }

    /** Whether the run is bounded by a message count rather than a duration. */
    boolean byCount() {
        return messages > 0;
    }
}
