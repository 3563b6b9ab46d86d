package dev.duplex.compliance.catalogue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue suite's report: every row of the security catalogue, and for each the tests
 * that ran for it, over which transport and delivery, with their result and what was measured
 * (status or close code, time to close). Rewritten to {@code target/catalogue-report.md}
 * after each test class, so it is complete once the suite is done; rows no test has reported
 * on say so.
 */
final class CatalogueReport {
    /** The catalogue's rows, in its order. */
    static final List<String> ROWS = rows();
    private static final Path FILE = Path.of("target", "catalogue-report.md");

    /** One invocation of one test. */
    record Entry(String row, String test, String variant, String result, String detail) {}

    private static final List<Entry> ENTRIES = new ArrayList<>();

    private CatalogueReport() {}

    static synchronized void add(Entry entry) {
        ENTRIES.add(entry);
    }

    /** Writes the report as it stands and prints its summary line. */
    static synchronized void write() {
        Map<String, List<Entry>> byRow = new LinkedHashMap<>();
        ROWS.forEach(row -> byRow.put(row, new ArrayList<>()));
        for (Entry e : ENTRIES) {
            byRow.computeIfAbsent(e.row(), k -> new ArrayList<>()).add(e);
        }
        StringBuilder out = new StringBuilder("# Security catalogue: results\n\n")
                .append("Rows of ../shared/reference/security-catalogue.md, each checked over ws and wss, ")
                .append("sent whole and one byte at a time where the row is a byte stream.\n\n")
                .append("| Row | Test | Variant | Result | Measured |\n|---|---|---|---|---|\n");
        int pass = 0;
        int fail = 0;
        int other = 0;
        for (Map.Entry<String, List<Entry>> row : byRow.entrySet()) {
            if (row.getValue().isEmpty()) {
                out.append("| ").append(row.getKey()).append(" | – | – | NOT RUN | no test reported on this row |\n");
                other++;
                continue;
            }
            for (Entry e : row.getValue()) {
                out.append("| ").append(e.row()).append(" | ").append(e.test()).append(" | ").append(e.variant())
                        .append(" | ").append(e.result()).append(" | ").append(e.detail().replace("|", "/").replace("\n", " "))
                        .append(" |\n");
                switch (e.result()) {
                    case "PASS" -> pass++;
                    case "FAIL" -> fail++;
                    default -> other++;
                }
            }
        }
        String summary = "catalogue: " + pass + " passed, " + fail + " failed, " + other + " not applicable, disabled or not run";
        out.append('\n').append(summary).append('\n');
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(summary + " (" + FILE.toAbsolutePath() + ")");
    }

    private static List<String> rows() {
        List<String> rows = new ArrayList<>();
        int[] counts = {19, 8, 13, 6, 8, 4, 6, 6};
        for (int s = 0; s < counts.length; s++) {
            for (int i = 1; i <= counts[s]; i++) {
                rows.add((char) ('A' + s) + Integer.toString(i));
            }
        }
        rows.add("I");
        rows.add("J");
        return List.copyOf(rows);
    }
}
