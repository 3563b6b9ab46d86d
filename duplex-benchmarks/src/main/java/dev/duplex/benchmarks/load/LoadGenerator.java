package dev.duplex.benchmarks.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A WebSocket load generator that uses no WebSocket library: raw non-blocking sockets, its
 * own handshake, its own framing and masking, so it favours no server. It opens N connections,
 * keeps K messages in flight on each, checks every echoed byte, and reports messages/s, MiB/s,
 * round-trip latency percentiles and errors. Its idle mode measures the server's resident
 * memory per connection.
 *
 * <pre>
 * java -cp "duplex-benchmarks/target/duplex-benchmarks.jar:duplex-benchmarks/target/lib/*" \
 *     dev.duplex.benchmarks.load.LoadGenerator --port 8080 --connections 100 --in-flight 16
 * </pre>
 */
public final class LoadGenerator {
    private final LoadOptions options;

    public LoadGenerator(LoadOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        Result result = new LoadGenerator(options).run();
        System.out.println(options.json() ? result.toJson() : result.toTable());
        System.exit(result.errors() == 0 ? 0 : 1);
    }

    /** Runs the whole timeline and returns what it measured. */
    public Result run() throws IOException, InterruptedException {
        PayloadPattern pattern = new PayloadPattern(options.text(), options.size(), new SplittableRandom(options.seed()));
        Control control = new Control(options.threads());
        List<Worker> workers = new ArrayList<>();
        int per = options.connections() / options.threads();
        int extra = options.connections() % options.threads();
        int first = 0;
        for (int t = 0; t < options.threads(); t++) {
            int n = per + (t < extra ? 1 : 0);
            workers.add(new Worker(options, control, pattern, first, n, options.seed() * 31 + t));
            first += n;
        }
        long timeoutNanos = options.timeout().toNanos();

        long rssBefore = -1;
        long rssAfter = -1;
        long heapBefore = -1;
        long heapAfter = -1;
        if (options.idle() && options.serverPid() > 0) {
            if (options.gcBeforeMeasure()) {
                ServerProcess.collectGarbage(options.serverPid());
                heapBefore = ServerProcess.heapUsedKiB(options.serverPid());
            }
            rssBefore = ServerProcess.residentKiB(options.serverPid());
        }

        long connectStart = System.nanoTime();
        control.connectDeadline = connectStart + timeoutNanos;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < workers.size(); t++) {
            Thread thread = new Thread(workers.get(t), "load-worker-" + t);
            thread.start();
            threads.add(thread);
        }
        await(control.connected, timeoutNanos + TimeUnit.SECONDS.toNanos(5));
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;

        if (options.idle()) {
            setPhase(control, workers, Control.PRIME);
            await(control.primed, timeoutNanos);
            Thread.sleep(options.settle().toMillis());
            if (options.serverPid() > 0) {
                if (options.gcBeforeMeasure()) {
                    ServerProcess.collectGarbage(options.serverPid());
                    heapAfter = ServerProcess.heapUsedKiB(options.serverPid());
                }
                rssAfter = ServerProcess.residentKiB(options.serverPid());
            }
        }

        long runStart = 0;
        long serverPid = options.serverPid() > 0 ? options.serverPid() : -1;
        double serverCpu = Double.NaN;
        double generatorCpu = Double.NaN;
        if (options.echoes()) {
            runStart = System.nanoTime();
            long warmup = options.byCount() ? 0 : options.warmup().toNanos();
            control.measureStart = runStart + warmup;
            control.measureEnd = options.byCount() ? Long.MAX_VALUE / 2 + runStart : runStart + warmup + options.duration().toNanos();
            control.sendUntil = control.measureEnd;
            control.drainDeadline = options.byCount() ? runStart + timeoutNanos * 10 : control.measureEnd + timeoutNanos;
            setPhase(control, workers, Control.RUN);
            if (!options.byCount()) {
                // CPU used by both ends over the measured window: who was the limit.
                sleepUntil(control.measureStart);
                serverCpu = -ServerProcess.cpuSeconds(serverPid);
                generatorCpu = -ServerProcess.cpuSeconds(ProcessHandle.current().pid());
                sleepUntil(control.measureEnd);
                serverCpu += ServerProcess.cpuSeconds(serverPid);
                generatorCpu += ServerProcess.cpuSeconds(ProcessHandle.current().pid());
            }
            long waitFor = control.drainDeadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            await(control.drained, waitFor);
        }

        control.closeDeadline = System.nanoTime() + Math.min(timeoutNanos, TimeUnit.SECONDS.toNanos(5));
        setPhase(control, workers, Control.CLOSE);
        await(control.closed, TimeUnit.SECONDS.toNanos(10));
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }

        Histogram latency = new Histogram(60_000_000_000L, 3);
        long measured = 0;
        long total = 0;
        long lastEcho = 0;
        int opened = 0;
        Map<String, Long> errors = new TreeMap<>();
        List<String> samples = new ArrayList<>();
        for (Worker w : workers) {
            latency.add(w.latency);
            measured += w.measuredMessages;
            total += w.totalMessages;
            lastEcho = Math.max(lastEcho, w.lastEchoNanos - runStart);
            opened += w.openedConnections;
            w.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            samples.addAll(w.errorSamples);
        }
        double seconds;
        if (!options.echoes()) {
            seconds = 0;
        } else if (options.byCount()) {
            seconds = lastEcho / 1e9;
        } else {
            seconds = options.duration().toNanos() / 1e9;
        }
        return new Result(options, opened, connectSeconds, measured, total, seconds, latency, errors,
                samples.subList(0, Math.min(5, samples.size())), rssBefore, rssAfter, heapBefore, heapAfter,
                serverPid > 0 && serverCpu >= 0 ? serverCpu : Double.NaN, generatorCpu >= 0 ? generatorCpu : Double.NaN);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static void setPhase(Control control, List<Worker> workers, int phase) {
        control.phase = phase;
        workers.forEach(Worker::wakeup);
    }

    private static void await(CountDownLatch latch, long nanos) throws InterruptedException {
        latch.await(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
    }

    /** What a run measured. */
    public record Result(LoadOptions options, int opened, double connectSeconds, long messages, long totalMessages,
                         double seconds, Histogram latency, Map<String, Long> errorKinds, List<String> errorSamples,
                         long rssBeforeKiB, long rssAfterKiB, long heapBeforeKiB, long heapAfterKiB,
                         double serverCpuSeconds, double generatorCpuSeconds) {

        public long errors() {
            long n = 0;
            for (long v : errorKinds.values()) {
                n += v;
            }
            return n;
        }

        public double messagesPerSecond() {
            return seconds > 0 ? messages / seconds : 0;
        }

        public double mebibytesPerSecond() {
            return messagesPerSecond() * options.size() / (1024.0 * 1024.0);
        }

        double percentileMicros(double p) {
            return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(p) / 1000.0;
        }

        /** Server memory per connection in bytes, or -1 when not measured. */
        public long residentBytesPerConnection() {
            if (rssBeforeKiB < 0 || rssAfterKiB < 0 || opened == 0) {
                return -1;
            }
            return (rssAfterKiB - rssBeforeKiB) * 1024 / opened;
        }

        /** Live Java heap per connection in bytes (after full collections), or -1. */
        public long heapBytesPerConnection() {
            if (heapBeforeKiB < 0 || heapAfterKiB < 0 || opened == 0) {
                return -1;
            }
            return (heapAfterKiB - heapBeforeKiB) * 1024 / opened;
        }

        public String toJson() {
            StringBuilder b = new StringBuilder("{");
            field(b, "label", '"' + options.label().replace("\"", "'") + '"');
            field(b, "connections", options.connections());
            field(b, "opened", opened);
            field(b, "inFlight", options.inFlight());
            field(b, "size", options.size());
            field(b, "type", options.text() ? "\"text\"" : "\"binary\"");
            field(b, "seconds", fmt(seconds));
            field(b, "messages", messages);
            field(b, "msgPerSec", fmt(messagesPerSecond()));
            field(b, "mibPerSec", fmt(mebibytesPerSecond()));
            field(b, "p50us", fmt(percentileMicros(50)));
            field(b, "p99us", fmt(percentileMicros(99)));
            field(b, "p999us", fmt(percentileMicros(99.9)));
            field(b, "maxUs", fmt(latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0));
            field(b, "errors", errors());
            StringBuilder kinds = new StringBuilder("{");
            errorKinds.forEach((k, v) -> kinds.append(kinds.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
            field(b, "errorKinds", kinds.append('}'));
            if (!errorSamples.isEmpty()) {
                field(b, "firstError", '"' + errorSamples.get(0).replace("\\", "/").replace("\"", "'") + '"');
            }
            field(b, "connectSeconds", fmt(connectSeconds));
            if (!Double.isNaN(serverCpuSeconds) && seconds > 0) {
                field(b, "serverCpu", fmt2(serverCpuSeconds / seconds));
                field(b, "serverCpuUsPerMsg", fmt2(messages > 0 ? serverCpuSeconds * 1e6 / messages : 0));
            }
            if (!Double.isNaN(generatorCpuSeconds) && seconds > 0) {
                field(b, "generatorCpu", fmt2(generatorCpuSeconds / seconds));
            }
            if (rssBeforeKiB >= 0) {
                field(b, "rssBeforeKiB", rssBeforeKiB);
                field(b, "rssAfterKiB", rssAfterKiB);
                field(b, "rssPerConnBytes", residentBytesPerConnection());
            }
            if (heapBeforeKiB >= 0 && heapAfterKiB >= 0) {
                field(b, "heapPerConnBytes", heapBytesPerConnection());
            }
            b.setLength(b.length() - 1);
            return b.append('}').toString();
        }

        public String toTable() {
            StringBuilder b = new StringBuilder();
            row(b, "label", options.label());
            row(b, "connections", opened + " of " + options.connections() + " opened in " + fmt(connectSeconds) + " s");
            if (options.echoes()) {
                row(b, "messages", options.inFlight() + " in flight per connection, " + options.size() + " bytes "
                        + (options.text() ? "text" : "binary"));
                row(b, "measured", messages + " echoes in " + fmt(seconds) + " s");
                row(b, "throughput", fmt(messagesPerSecond()) + " msg/s, " + fmt(mebibytesPerSecond()) + " MiB/s");
                row(b, "latency", "p50 " + fmt(percentileMicros(50)) + " us, p99 " + fmt(percentileMicros(99))
                        + " us, p99.9 " + fmt(percentileMicros(99.9)) + " us, max "
                        + fmt(latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0) + " us");
            }
            if (!Double.isNaN(serverCpuSeconds) && seconds > 0) {
                row(b, "server CPU", fmt2(serverCpuSeconds / seconds) + " cores busy, "
                        + fmt2(messages > 0 ? serverCpuSeconds * 1e6 / messages : 0) + " us per message");
            }
            if (!Double.isNaN(generatorCpuSeconds) && seconds > 0) {
                row(b, "generator CPU", fmt2(generatorCpuSeconds / seconds) + " cores busy");
            }
            if (rssBeforeKiB >= 0) {
                row(b, "server memory", "VmRSS " + rssBeforeKiB + " KiB before, " + rssAfterKiB + " KiB after: "
                        + residentBytesPerConnection() + " bytes per connection");
            }
            if (heapBeforeKiB >= 0 && heapAfterKiB >= 0) {
                row(b, "server heap", "live " + heapBeforeKiB + " KiB before, " + heapAfterKiB + " KiB after: "
                        + heapBytesPerConnection() + " bytes per connection");
            }
            row(b, "errors", errors() + (errorKinds.isEmpty() ? "" : " " + errorKinds));
            for (String s : errorSamples) {
                row(b, "", s);
            }
            return b.toString().stripTrailing();
        }

        private static void row(StringBuilder b, String name, String value) {
            b.append(String.format(Locale.ROOT, "%-14s %s%n", name, value));
        }

        private static void field(StringBuilder b, String name, Object value) {
            b.append('"').append(name).append("\":").append(value).append(',');
        }

        private static String fmt2(double v) {
            return String.format(Locale.ROOT, "%.2f", v);
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
    }
}
