package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.Await;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Row G4: 2,000 compressed connections opened and closed leave the process's resident memory
 * where it was. Each connection makes the server create a Deflater and an Inflater (one
 * compressed message each way, with context takeover), which hold about 300 KiB of native
 * memory together, outside the Java heap; 2,000 of them never ended would be some 600 MiB.
 *
 * <p>How it is measured: VmRSS from {@code /proc/self/status}, after a warm-up round of the same
 * work and a GC, against the same after the 2,000. The bound is 64 MiB: a tenth of what the
 * leak would cost, and well above the noise of a JVM that has just run a few thousand virtual
 * threads (heap regions committed, JIT code, glibc's malloc arenas keeping freed chunks for
 * reuse). A leak that the GC hides by running the JDK's Cleaners on unreachable Deflaters would
 * pass here; {@link CompressorCapTest} shows the explicit release on every close path.
 */
@Isolated // it measures the whole process
class NativeMemoryTest {
    private static final int CONNECTIONS = 2_000;
    private static final int BATCH = 100;
    private static final int WARM_UP = 500;
    private static final long BOUND = 64L << 20;
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final byte[] MESSAGE = SamplePayloads.compressible(8 * 1024, true, new java.util.SplittableRandom(3));
    private static final byte[] DEFLATED = DeflateClient.deflateAlone(MESSAGE);

    private static WebSocketServer server;

    @BeforeAll
    static void start() {
        server = DeflateServers.echo(DeflateServers.EVERY_MESSAGE);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void G4_twoThousandCompressedConnectionsOpenedAndClosedLeaveResidentMemoryNearItsBaseline() throws Exception {
        assumeTrue(Files.isReadable(STATUS), "needs /proc/self/status (Linux) to read VmRSS");
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // Warm-up with the same pattern: JIT, buffers, and glibc's malloc arenas, which keep
            // freed chunks and grow to a plateau set by how many connections are open at once.
            churn(threads, WARM_UP);
            long baseline = settledRss();
            long start = System.nanoTime();
            StringBuilder steps = new StringBuilder();
            for (int done = 0; done < CONNECTIONS; done += CONNECTIONS / 4) {
                churn(threads, CONNECTIONS / 4);
                System.gc();
                steps.append(' ').append(outsideHeap() >> 10);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // Right after a round, freed memory is still on its way back to the system (G1
            // uncommits concurrently; glibc trims its arenas when it frees at their top), so
            // the check is that it comes back, within a deadline; leaked memory never would.
            long[] after = {settledRss()};
            long settling = System.nanoTime();
            Await.until(SETTLE, () -> (after[0] = settledRss()) - baseline < BOUND,
                    () -> "outside the heap, VmRSS is still " + ((after[0] - baseline) >> 10)
                            + " KiB above its baseline; after each 500 connections:" + steps + " KiB");
            System.out.printf("native memory: VmRSS outside the heap %,d KiB after warm-up; after each 500 "
                    + "connections:%s KiB (%,d connections in %,d ms); %,d KiB above the baseline %,d ms later%n",
                    baseline >> 10, steps, CONNECTIONS, millis, (after[0] - baseline) >> 10,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settling));
        }
    }

    /** Opens {@code count} connections, {@link #BATCH} at a time, each exchanging one compressed message. */
    private static void churn(ExecutorService threads, int count) throws Exception {
        for (int done = 0; done < count; done += BATCH) {
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                batch.add(CompletableFuture.runAsync(() -> {
                    try {
                        oneConnection();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, threads));
            }
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        Await.until(Duration.ofSeconds(10), () -> server.connectionCount() == 0,
                () -> "connections still open: " + server.connectionCount());
    }

    private static void oneConnection() throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            client.agreed();
            // Made once and sent as bytes, so this side runs no Deflater of its own: the
            // process's memory is then mostly the server's.
            client.sendFrame(true, DeflateClient.RSV1, DeflateClient.TEXT, DEFLATED);
            DeflateClient.WireMessage echo = client.readMessage();
            assertTrue(echo.compressed());
            assertArrayEquals(MESSAGE, echo.payload());
            assertEquals(1000, client.closeHandshake(1000));
        }
    }

    /**
     * Resident memory outside the Java heap, in bytes: VmRSS less the heap's committed size,
     * after a GC, the least of five readings. The heap is taken out because G1 keeps anywhere
     * from 30 to 250 MiB committed after a System.gc() here, and gives pages back concurrently,
     * which would drown the signal; zlib's memory is all outside the heap. The least of several
     * readings drops what is merely on its way back to the system, while a leak raises them all.
     */
    private static long settledRss() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            least = Math.min(least, outsideHeap());
        }
        return least;
    }

    private static long outsideHeap() {
        return vmRss() - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static long vmRss() {
        try {
            for (String line : Files.readAllLines(STATUS, UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in " + STATUS);
    }

}
