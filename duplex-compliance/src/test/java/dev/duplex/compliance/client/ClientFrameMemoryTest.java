package dev.duplex.compliance.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.ProxyOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.protocol.handshake.AcceptKey;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a client masks its frames into one bounded write buffer, not into an array the
 * size of each frame, so memory for framing stays bounded whatever the message size. A client
 * sends 16 MiB text messages to a hand-written server (a raw socket that answers 101) that checks every unmasked byte as it
 * streams past (into a 64 KiB buffer of its own), and the heap is measured two ways:
 * <ul>
 *   <li>allocated per message, over all threads: the message's own UTF-8 encoding (16 MiB,
 *       which the frame then holds by reference) and less than 1 MiB more. Masking into a
 *       frame array, as before, allocated another 16 MiB per message;</li>
 *   <li>held while a message is in flight, the server not reading: what one array of the
 *       message's size holds on this heap (the UTF-8 bytes the queue keeps) and less than 1 MiB
 *       more. Before, the frame array took the UTF-8's place here: the two ways differ in what
 *       is allocated, not in what is held at the peak.</li>
 * </ul>
 */
class ClientFrameMemoryTest {
    private static final int MESSAGE = 16 << 20;
    private static final long MIB = 1 << 20;
    private static final long TIMEOUT = 60;

    /** The text: ASCII, so its UTF-8 is one byte per char, in a pattern the server can check. */
    private static String message() {
        StringBuilder text = new StringBuilder(MESSAGE);
        for (int i = 0; i < MESSAGE; i++) {
            text.append((char) ('a' + i % 26));
        }
        return text.toString();
    }

    /**
     * Reads one client frame, unmasking and checking its payload a piece at a time; returns the
     * payload length.
     */
    private static long readAndCheckFrame(InputStream in, byte[] piece) throws IOException {
        int b0 = read(in);
        int b1 = read(in);
        assertEquals(0x81, b0, "a final text frame");
        assertEquals(0x80, b1 & 0x80, "masked");
        long length = b1 & 0x7F;
        int extra = length == 126 ? 2 : length == 127 ? 8 : 0;
        if (extra > 0) {
            length = 0;
            for (int i = 0; i < extra; i++) {
                length = length << 8 | read(in);
            }
        }
        byte[] key = in.readNBytes(4);
        long at = 0;
        while (at < length) {
            int n = in.read(piece, 0, (int) Math.min(piece.length, length - at));
            if (n < 0) {
                throw new EOFException("frame cut short");
            }
            for (int i = 0; i < n; i++) {
                long index = at + i;
                byte plain = (byte) (piece[i] ^ key[(int) (index & 3)]);
                if (plain != (byte) ('a' + index % 26)) {
                    throw new AssertionError("byte " + index + " unmasked to " + plain);
                }
            }
            at += n;
        }
        return length;
    }

    private static int read(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private static long heldAfterGc(MemoryMXBean memory) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    @Test
    void sixteenMibMessagesCostTheirOwnBytesAndLessThanOneMibOfFrameBuffer() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        String text = message();
        BlockingQueue<Long> received = new LinkedBlockingQueue<>();
        CompletableFuture<Void> readMore = new CompletableFuture<>();
        int warmUp = 1;
        int measured = 4;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> serverDone = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket peer = listener.accept()) {
                    InputStream in = peer.getInputStream();
                    answer101(in, peer);
                    byte[] piece = new byte[64 * 1024];
                    for (int i = 0; i < warmUp + measured; i++) {
                        received.add(readAndCheckFrame(in, piece));
                    }
                    readMore.get(TIMEOUT, TimeUnit.SECONDS); // stalls: the next message stays in flight
                    received.add(readAndCheckFrame(in, piece));
                    serverDone.complete(null);
                } catch (Throwable t) {
                    serverDone.completeExceptionally(t);
                    received.add(-1L);
                }
            });
            URI uri = URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/");
            ClientOptions options = ClientOptions.builder().proxy(ProxyOptions.DIRECT)
                    .compression(CompressionOptions.DISABLED)
                    .connectionOptions(ConnectionOptions.builder().outboundHardLimit(4L * MESSAGE).build())
                    .build();
            WebSocket socket = WebSocketClient.create(options).connect(uri, (WebSocketHandler) (ws, m) -> { })
                    .get(TIMEOUT, TimeUnit.SECONDS);
            for (int i = 0; i < warmUp; i++) {
                socket.sendText(text).get(TIMEOUT, TimeUnit.SECONDS);
                assertEquals(MESSAGE, received.poll(TIMEOUT, TimeUnit.SECONDS));
            }

            long allocatedBefore = threads.getTotalThreadAllocatedBytes();
            for (int i = 0; i < measured; i++) {
                socket.sendText(text).get(TIMEOUT, TimeUnit.SECONDS);
                assertEquals(MESSAGE, received.poll(TIMEOUT, TimeUnit.SECONDS));
            }
            long perMessage = (threads.getTotalThreadAllocatedBytes() - allocatedBefore) / measured;
            long beyondUtf8 = perMessage - MESSAGE;

            // What one array of the message's size costs on this heap (G1 rounds a humongous
            // array up to whole regions): the yardstick for what the queue holds.
            long heldBefore = heldAfterGc(memory);
            byte[] yardstick = new byte[MESSAGE];
            long utf8Held = heldAfterGc(memory) - heldBefore;
            java.lang.ref.Reference.reachabilityFence(yardstick);
            yardstick = null;
            heldBefore = heldAfterGc(memory);
            CompletableFuture<Void> inFlight = socket.sendText(text);
            long heldDuring = heldAfterGc(memory) - heldBefore;
            assertTrue(!inFlight.isDone(), "the server is not reading: the message is still in flight");
            readMore.complete(null);
            inFlight.get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(MESSAGE, received.poll(TIMEOUT, TimeUnit.SECONDS));

            System.out.printf("16 MiB text messages: %.2f MiB allocated per message (%.3f MiB beyond its UTF-8); "
                            + "%.2f MiB held with one in flight, %.2f MiB for a 16 MiB array alone (%.3f MiB beyond)%n",
                    perMessage / (double) MIB, beyondUtf8 / (double) MIB, heldDuring / (double) MIB,
                    utf8Held / (double) MIB, (heldDuring - utf8Held) / (double) MIB);
            assertTrue(beyondUtf8 < MIB, "allocated " + beyondUtf8 + " bytes per message beyond its UTF-8");
            assertTrue(heldDuring - utf8Held < MIB, "held " + (heldDuring - utf8Held) + " bytes beyond the message's UTF-8");
            serverDone.get(TIMEOUT, TimeUnit.SECONDS);
            socket.abort();
        }
    }

    /** Reads the upgrade request head and answers a plain 101 (RFC 6455 4.2.2). */
    private static void answer101(InputStream in, Socket peer) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) read(in));
        }
        String key = null;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            }
        }
        peer.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + AcceptKey.accept(key) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }
}
