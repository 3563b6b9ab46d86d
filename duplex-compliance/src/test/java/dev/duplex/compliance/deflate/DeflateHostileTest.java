package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.Await;
import dev.duplex.compliance.robustness.RecordingHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile compressed input over a real socket (rows G1–G3, C4): a decompression bomb, corrupt
 * streams, and RSV1 where it has no meaning. Each case must end in the right close code, and
 * the server must go on serving others.
 */
@Isolated // the bomb test measures this JVM's allocation and heap
class DeflateHostileTest {
    private static final long GIBIBYTE = 1L << 30;

    private static final RecordingHandler handler = RecordingHandler.echo();
    private static WebSocketServer server;
    private static WebSocketServer uncompressed;

    // Both servers keep the library's default message limit of 1 MiB, as an application that
    // sets nothing gets it.

    @BeforeAll
    static void start() {
        ConnectionOptions options = ConnectionOptions.builder()
                .pingInterval(Duration.ZERO)
                .closeTimeout(Duration.ofSeconds(3))
                .build();
        server = DeflateServers.start(DeflateServers.EVERY_MESSAGE, options, DeflateServers.ECHO, handler);
        uncompressed = DeflateServers.start(CompressionOptions.DISABLED, options, DeflateServers.ECHO, handler);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (uncompressed != null) {
            uncompressed.close();
        }
    }

    @AfterEach
    void theServerStillServes() throws IOException {
        // The canary: a fresh connection gets a compressed echo after every hostile case.
        try (DeflateClient canary = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            canary.agreed();
            byte[] message = "still here ".repeat(20).getBytes(UTF_8);
            canary.sendMessage(DeflateClient.TEXT, message, true);
            DeflateClient.WireMessage echo = canary.readMessage();
            assertTrue(echo.compressed());
            assertArrayEquals(message, echo.payload());
        }
    }

    @Test
    void G1_aGibibyteOfZerosDeflatedToAboutOneMebibyteIsClosedWith1009AndMemoryStaysFlat() throws Exception {
        byte[] bomb = zerosBomb();
        assertTrue(bomb.length < 1_200_000, "the bomb is about 1 MiB on the wire: " + bomb.length);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long allocatedBefore = allocatedBytes();

        AtomicLong sent = new AtomicLong();
        AtomicBoolean closeSeen = new AtomicBoolean();
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            // Streamed in 64 KiB frames, each well under the limit: only the inflated total passes it.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                int step = 64 * 1024;
                try {
                    for (int at = 0; at < bomb.length && !closeSeen.get(); at += step) {
                        boolean first = at == 0;
                        int end = Math.min(bomb.length, at + step);
                        client.sendFrame(end == bomb.length, first ? DeflateClient.RSV1 : 0,
                                first ? DeflateClient.BINARY : DeflateClient.CONTINUATION, Arrays.copyOfRange(bomb, at, end));
                        sent.addAndGet(end - at);
                    }
                } catch (IOException e) {
                    // The server closed its end; what it read is what counts.
                }
            }, r -> Thread.ofVirtual().start(r));
            DeflateClient.WireFrame close = client.readFrame();
            closeSeen.set(true);
            assertEquals(1009, close.closeCode(), "the inflated total passed the limit: " + close);
            client.socket().close();
            writer.get(10, TimeUnit.SECONDS);
            // The server's own account agrees (other cases' closes are in the same handler).
            Await.until(RecordingHandler.EVENT_DEADLINE, () -> handler.closes().stream().anyMatch(c -> c.code() == 1009),
                    () -> "onClose with 1009 on the server; closes so far: " + handler.closes());
        }
        long allocated = allocatedBytes() - allocatedBefore;
        System.gc();
        long heapGrowth = memory.getHeapMemoryUsage().getUsed() - heapBefore;
        System.out.printf("bomb: %,d bytes on the wire for %,d inflated; sent %,d before the close; "
                + "allocated %,d bytes; heap growth after GC %,d bytes%n", bomb.length, GIBIBYTE, sent.get(), allocated, heapGrowth);
        // Inflating the whole message before checking its size would allocate at least the
        // gibibyte it inflates to; bounded steps allocate the message buffer (up to the 1 MiB
        // limit, grown by doubling) plus the bomb's frames on both ends. A quarter of a gibibyte
        // leaves room for everything else this JVM does meanwhile.
        assertTrue(allocated >= 0 && allocated < GIBIBYTE / 4, "allocated during the bomb: " + allocated);
        assertTrue(heapGrowth < 64L << 20, "heap after GC grew by " + heapGrowth);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "ff ff ff ff",          // block type 3, which DEFLATE reserves
        "f2 00 11 00 00",       // RFC 7692 7.2.3.2's second "Hello", with no first to refer to
        "00 05 00 fb ff 48 65 6c 6c 6f",  // a stored block whose NLEN is not LEN's complement
    })
    void G2_aCorruptDeflateStreamIsClosedWith1007(String hex) throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            client.sendFrame(true, DeflateClient.RSV1, DeflateClient.BINARY, HexFormat.ofDelimiter(" ").parseHex(hex));
            assertEquals(1007, client.readCloseCode());
            client.awaitEndOfStream(DeflateClient.READ_DEADLINE);
        }
    }

    @Test
    void G3_rsv1WithoutNegotiationIsClosedWith1002() throws IOException {
        byte[] hello = HexFormat.ofDelimiter(" ").parseHex("f2 48 cd c9 c9 07 00");
        // No offer at all, and an offer made to a server that has compression off.
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, null)) {
            client.sendFrame(true, DeflateClient.RSV1, DeflateClient.TEXT, hello);
            assertEquals(1002, client.readCloseCode());
        }
        try (DeflateClient client = DeflateClient.connect(uncompressed.port(), DeflateServers.ECHO, "permessage-deflate")) {
            client.sendFrame(true, DeflateClient.RSV1, DeflateClient.TEXT, hello);
            assertEquals(1002, client.readCloseCode());
        }
    }

    @Test
    void C4_rsv1OnAContinuationFrameIsClosedWith1002() throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            client.sendFrame(false, DeflateClient.RSV1, DeflateClient.TEXT, HexFormat.ofDelimiter(" ").parseHex("f2 48 cd"));
            client.sendFrame(true, DeflateClient.RSV1, DeflateClient.CONTINUATION, HexFormat.ofDelimiter(" ").parseHex("c9 c9 07 00"));
            assertEquals(1002, client.readCloseCode());
        }
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void C4_rsv1OnAControlFrameIsClosedWith1002(int opcode) throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            byte[] payload = opcode == 0x8 ? new byte[] {0x03, (byte) 0xe8} : "ping".getBytes(UTF_8);
            client.sendFrame(true, DeflateClient.RSV1, opcode, payload);
            assertEquals(1002, client.readCloseCode());
        }
    }

    @Test
    void rsv2AndRsv3StayReservedUnderPermessageDeflate() throws IOException {
        for (int rsv : new int[] {0x20, 0x10}) {
            try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
                client.sendFrame(true, rsv, DeflateClient.TEXT, "Hello".getBytes(UTF_8));
                assertEquals(1002, client.readCloseCode(), "RSV bits " + rsv);
            }
        }
    }

    /**
     * One gibibyte of zeros as a raw DEFLATE stream of about 1 MiB, made in milliseconds: one
     * mebibyte of zeros deflated from a fresh window and sync-flushed is a byte-aligned run of
     * blocks that refers to nothing before it, so 1,024 copies in a row are a valid stream that
     * inflates to 1,024 mebibytes. (Deflating the whole gibibyte takes zlib about ten seconds.)
     */
    static byte[] zerosBomb() {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(new byte[1 << 20]);
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                chunk.write(buffer, 0, n);
            } while (n == buffer.length || !deflater.needsInput());
            byte[] one = chunk.toByteArray();
            byte[] bomb = new byte[one.length * 1024];
            for (int i = 0; i < 1024; i++) {
                System.arraycopy(one, 0, bomb, i * one.length, one.length);
            }
            return bomb;
        } finally {
            deflater.end();
        }
    }

    /** Bytes allocated on the heap by every thread of this JVM so far, virtual threads' carriers included. */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }
}
