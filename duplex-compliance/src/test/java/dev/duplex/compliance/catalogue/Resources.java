package dev.duplex.compliance.catalogue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the catalogue checks after every variant of every row, cheaply enough to do it each
 * time: the platform threads named {@code duplex-*}, the TCP sockets this JVM has open (the
 * entries of {@code /proc/self/fd} that are in the kernel's TCP tables) and the heap in use,
 * after a GC when it looks above the baseline. The class-level
 * {@code robustness.ReturnsToBaseline} also counts virtual threads, through a thread dump that
 * costs too much to take per row; a leaked connection thread would hold its socket, which is
 * counted here.
 *
 * @param duplexThreads names of live platform threads called duplex-*
 * @param tcpSockets open TCP sockets of this process, by inode
 * @param heapUsed bytes of heap in use
 */
record Resources(List<String> duplexThreads, Set<String> tcpSockets, long heapUsed) {

    /** Counts now; {@code gc} first runs a collection, so the heap figure is what is live. */
    static Resources take(boolean gc) {
        if (gc) {
            System.gc();
        }
        List<String> threads = Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> name.startsWith("duplex-"))
                .sorted()
                .toList();
        return new Resources(threads, openTcpSockets(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Whether threads and sockets are no more than in {@code baseline}. */
    boolean threadsAndSocketsWithin(Resources baseline) {
        return duplexThreads.size() <= baseline.duplexThreads.size() && tcpSockets.size() <= baseline.tcpSockets.size();
    }

    String counts() {
        return duplexThreads.size() + " duplex threads " + duplexThreads + ", " + tcpSockets.size() + " TCP sockets, "
                + heapUsed / (1024 * 1024) + " MiB heap";
    }

    private static Set<String> openTcpSockets() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return Set.of(); // not Linux: sockets are not counted
        }
        Set<String> inTables = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of(table))) {
                lines.skip(1).forEach(line -> {
                    String[] columns = line.trim().split("\\s+");
                    if (columns.length > 9) {
                        inTables.add(columns[9]); // the inode column
                    }
                });
            } catch (IOException e) {
                // no such table here: nothing from it
            }
        }
        Set<String> open = new HashSet<>();
        try (Stream<Path> entries = Files.list(fds)) {
            entries.forEach(fd -> {
                try {
                    String link = Files.readSymbolicLink(fd).toString(); // "socket:[12345]"
                    if (link.startsWith("socket:[")) {
                        String inode = link.substring(8, link.length() - 1);
                        if (inTables.contains(inode)) {
                            open.add(inode);
                        }
                    }
                } catch (IOException e) {
                    // closed between the listing and the look: not open
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return open;
    }
}
