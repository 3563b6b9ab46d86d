package dev.duplex.benchmarks.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the JSON lines of a comparison run (one per server, scenario and repetition, labelled
 * {@code server/scenario/rep}) into Markdown tables: for each scenario and server the median
 * of the repetitions, their spread (min–max), and the ratio of the median to the baseline
 * server's (Netty's, unless another is named).
 *
 * <pre>java -cp ... dev.duplex.benchmarks.compare.Summary results.jsonl [baseline]</pre>
 */
public final class Summary {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|\\{[^}]*\\}|[-0-9.]+)");

    private Summary() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Summary RESULTS.jsonl [BASELINE-SERVER (default netty)]");
            System.exit(2);
        }
        System.out.print(summarise(Files.readAllLines(Path.of(args[0])), args.length > 1 ? args[1] : "netty"));
    }

    /** One run's fields, by name, as strings (quotes removed). */
    static Map<String, String> parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            String v = m.group(2);
            fields.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        }
        return fields;
    }

    static String summarise(List<String> lines, String baseline) {
        // scenario -> server -> runs
        Map<String, Map<String, List<Map<String, String>>>> runs = new LinkedHashMap<>();
        Set<String> servers = new LinkedHashSet<>();
        List<String> failed = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith("{")) {
                continue;
            }
            Map<String, String> f = parse(line);
            String[] label = f.getOrDefault("label", "").split("/");
            if (label.length < 2) {
                continue;
            }
            servers.add(label[0]);
            if ("0".equals(f.get("opened"))) {
                // Not one connection opened: the run measured nothing about the server's speed.
                failed.add(f.get("label") + " " + f.getOrDefault("errorKinds", "") + " " + f.getOrDefault("firstError", ""));
                continue;
            }
            runs.computeIfAbsent(label[1], k -> new LinkedHashMap<>())
                    .computeIfAbsent(label[0], k -> new ArrayList<>()).add(f);
        }
        StringBuilder out = new StringBuilder();
        out.append("| Scenario | Server | msg/s median | spread | × " + baseline + " | MiB/s | p50 µs | p99 µs | p99 × " + baseline + " | p99.9 µs"
                + " | server CPU µs/msg | server cores | generator cores | errors |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder memory = new StringBuilder();
        for (var scenario : runs.entrySet()) {
            Map<String, List<Map<String, String>>> byServer = scenario.getValue();
            double baseRate = median(byServer.getOrDefault(baseline, List.of()), "msgPerSec");
            double baseP99 = median(byServer.getOrDefault(baseline, List.of()), "p99us");
            double baseMem = median(byServer.getOrDefault(baseline, List.of()), "rssPerConnBytes");
            double baseHeap = median(byServer.getOrDefault(baseline, List.of()), "heapPerConnBytes");
            for (String server : servers) {
                List<Map<String, String>> r = byServer.getOrDefault(server, List.of());
                if (r.isEmpty()) {
                    continue;
                }
                double rate = median(r, "msgPerSec");
                if (rate > 0) {
                    double p99 = median(r, "p99us");
                    out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f–%,.0f | %s | %.1f | %.0f | %.0f | %s | %.0f | %.1f | %.2f | %.2f | %d |%n",
                            scenario.getKey(), server, rate, min(r, "msgPerSec"), max(r, "msgPerSec"),
                            ratio(rate, baseRate), median(r, "mibPerSec"), median(r, "p50us"), p99,
                            ratio(p99, baseP99), median(r, "p999us"), median(r, "serverCpuUsPerMsg"),
                            median(r, "serverCpu"), median(r, "generatorCpu"), (long) sum(r, "errors")));
                }
                double mem = median(r, "rssPerConnBytes");
                if (!Double.isNaN(mem)) {
                    memory.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f–%,.0f | %s | %,.0f | %s | %d of %d |%n",
                            scenario.getKey(), server, mem, min(r, "rssPerConnBytes"), max(r, "rssPerConnBytes"),
                            ratio(mem, baseMem), median(r, "heapPerConnBytes"),
                            ratio(median(r, "heapPerConnBytes"), baseHeap),
                            (long) min(r, "opened"), (long) max(r, "connections")));
                }
            }
        }
        if (!memory.isEmpty()) {
            out.append("\n| Scenario | Server | RSS bytes/connection median | spread | × " + baseline
                    + " | live heap bytes/connection | × " + baseline + " | opened (worst run) |\n");
            out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
            out.append(memory);
        }
        for (String f : failed) {
            out.append("\nNot counted (no connection opened): ").append(f);
        }
        if (!failed.isEmpty()) {
            out.append('\n');
        }
        return out.toString();
    }

    private static List<Double> values(List<Map<String, String>> runs, String field) {
        List<Double> v = new ArrayList<>();
        for (Map<String, String> r : runs) {
            String s = r.get(field);
            if (s != null) {
                v.add(Double.parseDouble(s));
            }
        }
        v.sort(null);
        return v;
    }

    static double median(List<Map<String, String>> runs, String field) {
        List<Double> v = values(runs, field);
        if (v.isEmpty()) {
            return Double.NaN;
        }
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static double min(List<Map<String, String>> runs, String field) {
        List<Double> v = values(runs, field);
        return v.isEmpty() ? Double.NaN : v.get(0);
    }

    private static double max(List<Map<String, String>> runs, String field) {
        List<Double> v = values(runs, field);
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    private static double sum(List<Map<String, String>> runs, String field) {
        double s = 0;
        for (double d : values(runs, field)) {
            s += d;
        }
        return s;
    }

    private static String ratio(double value, double base) {
        if (Double.isNaN(value) || Double.isNaN(base) || base == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f", value / base);
    }
}
