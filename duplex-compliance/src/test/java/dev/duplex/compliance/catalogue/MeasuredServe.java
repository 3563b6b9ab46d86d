package dev.duplex.compliance.catalogue;

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
 * print {@code STATS heap=BYTES threads=N fds=N}: the heap in use after the collection, the
 * live platform threads, and open file descriptors.
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

    /**
     * Live platform threads. Virtual ones are not counted: the JDK's thread dump, the one way to
     * list them, crashed this JDK (25.0.3) twice mid-attack (a SIGSEGV taking the thread
     * snapshot). A leaked virtual thread would hold its connection's socket, which the
     * descriptor count sees.
     */
    private static long threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long fds() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }
}
