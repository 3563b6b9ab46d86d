package dev.duplex.benchmarks.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a JMH result file ({@code -rf csv}) and prints a Markdown table with bytes per second
 * where the benchmark has a {@code size} parameter, and the ratios the targets are about:
 * masking against a memory copy, a byte loop and the JDK client's masking, UTF-8 validation
 * against {@code CharsetDecoder}, permessage-deflate against Netty's.
 *
 * <pre>java -cp ... dev.duplex.benchmarks.compare.MicroSummary target/jmh.csv</pre>
 */
public final class MicroSummary {
    private MicroSummary() {}

    /** A row: benchmark class and method, parameters, score in operations per second. */
    record Row(String benchmark, String method, Map<String, String> params, double opsPerSecond) {
        String key() {
            return benchmark + params;
        }

        double bytesPerSecond() {
            String size = params.get("size");
            if (size == null) {
                size = params.get("payloadLength");
            }
            return size == null ? Double.NaN : opsPerSecond * Long.parseLong(size);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: MicroSummary JMH.csv");
            System.exit(2);
        }
        System.out.print(summarise(Files.readAllLines(Path.of(args[0]))));
    }

    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
        return out;
    }

    static String summarise(List<String> lines) {
        List<String> header = splitCsv(lines.get(0));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = splitCsv(line);
            String name = cells.get(0);
            int dot = name.lastIndexOf('.');
            String benchmark = name.substring(name.lastIndexOf('.', dot - 1) + 1, dot);
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 7; i < cells.size() && i < header.size(); i++) {
                if (!cells.get(i).isEmpty()) {
                    params.put(header.get(i).replace("Param: ", ""), cells.get(i));
                }
            }
            double score = Double.parseDouble(cells.get(4));
            if (cells.get(6).equals("ops/ms")) {
                score *= 1000;
            }
            rows.add(new Row(benchmark, name.substring(dot + 1), params, score));
        }
        StringBuilder out = new StringBuilder("| Benchmark | Method | Params | ops/s | MB/s |\n|---|---|---|---:|---:|\n");
        for (Row r : rows) {
            double bps = r.bytesPerSecond();
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.0f | %s |%n", r.benchmark(), r.method(), r.params(),
                    r.opsPerSecond(), Double.isNaN(bps) || r.benchmark().equals("FrameCodecBenchmark") ? "" : String.format(Locale.ROOT, "%,.0f", bps / 1e6)));
        }
        out.append("\n| Comparison | Params | Ratio |\n|---|---|---:|\n");
        ratios(out, rows, "MaskingBenchmark", "duplexMasking", "memoryCopy");
        ratios(out, rows, "MaskingBenchmark", "duplexMasking", "byteAtATime");
        ratios(out, rows, "Utf8Benchmark", "duplexValidate", "charsetDecoder");
        ratios(out, rows, "Utf8Benchmark", "duplexDecode", "charsetDecoderToString");
        ratios(out, rows, "ClientMaskingBenchmark", "duplexMask", "jdkMask");
        ratios(out, rows, "ClientMaskingBenchmark", "duplexKey", "jdkKey");
        ratios(out, rows, "ClientMaskingBenchmark", "duplexFrame", "jdkFrame");
        ratios(out, rows, "DeflateBenchmark", "duplexDeflate", "nettyDeflate");
        ratios(out, rows, "DeflateBenchmark", "duplexInflate", "nettyInflate");
        return out.toString();
    }

    private static void ratios(StringBuilder out, List<Row> rows, String benchmark, String ours, String theirs) {
        for (Row a : rows) {
            if (!a.benchmark().equals(benchmark) || !a.method().equals(ours)) {
                continue;
            }
            for (Row b : rows) {
                if (b.key().equals(a.key()) && b.method().equals(theirs)) {
                    out.append(String.format(Locale.ROOT, "| %s / %s | %s | %.2f |%n", ours, theirs, a.params(),
                            a.opsPerSecond() / b.opsPerSecond()));
                }
            }
        }
    }
}
