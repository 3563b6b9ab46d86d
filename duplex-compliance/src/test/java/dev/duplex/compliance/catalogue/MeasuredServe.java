package dev.duplex.compliance.catalogue;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.duplex.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * {@code duplex serve} in a child JVM, as a user starts it, with a way for the test to ask how
 * the process is doing: a line {@code stats} on standard input makes it collect garbage and
 * print {@code STATS heap=BYTES threads=N fds=N}: the heap in use after the collection, every
 * thread (virtual ones too, from a thread dump), and open file descriptors.
 */
public final class MeasuredServe {
    private MeasuredServe() {}

    public static void main(String[] args) {
        Thread stats = new Thread(MeasuredServe::answer, "test-stats");
        stats.setDaemon(true);
        stats.start();
        Main.main(args);
    }

    private static void answer() {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("stats")) {
                    System.gc();
                    System.gc();
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    System.out.println("STATS heap=" + heap + " threads=" + threads() + " fds=" + fds());
                    System.out.flush();
                }
            }
        } catch (IOException e) {
            // the test went away; the process is being stopped
        }
    }

    /** Platform and virtual threads alike: a JSON thread dump lists each with a "tid". */
    private static long threads() throws IOException {
        Path dump = Files.createTempDirectory("duplex-threads").resolve("dump.json");
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            String json = Files.readString(dump);
            long count = 0;
            for (int i = json.indexOf("\"tid\""); i >= 0; i = json.indexOf("\"tid\"", i + 1)) {
                count++;
            }
            return count;
        } finally {
            Files.deleteIfExists(dump);
            Files.deleteIfExists(dump.getParent());
        }
    }

    private static long fds() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }
}
