package dev.duplex.compliance.robustness;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks that a test class leaves nothing behind: once its tests are done, the threads named
 * {@code duplex-*} and the open sockets of this JVM come back to what they were before the
 * class started (catalogue invariant: the offender's sockets and timers are released).
 *
 * <p>Virtual threads appear neither in {@link Thread#getAllStackTraces()} nor in the
 * ThreadMXBean, and the server runs every connection, writer and acceptor on one, so threads
 * are counted from a JSON thread dump, which lists virtual threads too. Sockets are the
 * entries of {@code /proc/self/fd} that link to {@code socket:[...]}.
 *
 * <p>Counts are process-wide, so a class using this must not run beside others: the classes
 * are marked {@code @Isolated} for the day parallel execution is switched on.
 */
public final class ReturnsToBaseline implements BeforeAllCallback, AfterAllCallback {
    /** Generous: a closed server's timer thread and sockets go within milliseconds. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Pattern THREAD_NAME = Pattern.compile("\"name\"\\s*:\\s*\"(duplex-[^\"]*)\"");
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ReturnsToBaseline.class);

    /** What one look at the process found: thread names, and one line per open socket. */
    public record Snapshot(List<String> duplexThreads, List<String> sockets) {
        boolean within(Snapshot baseline) {
            return duplexThreads.size() <= baseline.duplexThreads.size()
                    && sockets.size() <= baseline.sockets.size();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("baseline", take());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Snapshot baseline = context.getStore(NAMESPACE).get("baseline", Snapshot.class);
        Snapshot[] last = {null};
        Await.until(SETTLE, () -> (last[0] = take()).within(baseline),
                () -> "resources not back to baseline " + baseline + ": now " + last[0]);
    }

    /** Counts duplex threads, platform and virtual, and open sockets, now. */
    public static Snapshot take() {
        return new Snapshot(duplexThreads(), openSockets());
    }

    private static List<String> duplexThreads() {
        try {
            Path dir = Files.createTempDirectory("duplex-threads");
            Path dump = dir.resolve("threads.json");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                List<String> names = new ArrayList<>();
                Matcher m = THREAD_NAME.matcher(Files.readString(dump));
                while (m.find()) {
                    names.add(m.group(1));
                }
                return names;
            } finally {
                Files.deleteIfExists(dump);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The open sockets, each described by its TCP table row when it has one, for the report. */
    private static List<String> openSockets() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return List.of(); // not Linux: the socket count is not checked
        }
        List<String> inodes;
        try (Stream<Path> entries = Files.list(fds)) {
            inodes = entries.map(ReturnsToBaseline::socketInode).filter(i -> !i.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (inodes.isEmpty()) {
            return inodes;
        }
        // The JDK opens a Unix domain socket of its own the first time it does socket I/O
        // and keeps it: not ours, so only network sockets are counted.
        List<String> unix = table("/proc/self/net/unix");
        List<String> tcp = table("/proc/self/net/tcp", "/proc/self/net/tcp6");
        return inodes.stream()
                .filter(inode -> rowOf(unix, inode) == null)
                .map(inode -> {
                    String row = rowOf(tcp, inode);
                    return "socket " + inode + (row == null ? " (not in the TCP table: closed but not released?)" : " tcp " + row);
                })
                .toList();
    }

    private static String rowOf(List<String> table, String inode) {
        for (String row : table) {
            if (List.of(row.trim().split("\\s+")).contains(inode)) {
                return row.trim();
            }
        }
        return null;
    }

    private static String socketInode(Path fd) {
        try {
            String link = Files.readSymbolicLink(fd).toString(); // "socket:[12345]"
            return link.startsWith("socket:[") ? link.substring(8, link.length() - 1) : "";
        } catch (IOException e) {
            return ""; // closed between the listing and the look: not open
        }
    }

    private static List<String> table(String... paths) {
        List<String> rows = new ArrayList<>();
        for (String table : paths) {
            try {
                rows.addAll(Files.readAllLines(Path.of(table)));
            } catch (IOException e) {
                // No such table here: the description just gets shorter.
            }
        }
        return rows;
    }
}
