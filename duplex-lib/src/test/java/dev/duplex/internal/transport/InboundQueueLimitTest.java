package dev.duplex.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Handshake;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Row H2 at the edge of {@link ConnectionOptions#inboundQueueLimit()}: while the handler is busy
 * the read loop holds what it reads, and stops reading once it holds the limit, not before.
 * Over a loopback socket pair, with the server end driven directly.
 */
class InboundQueueLimitTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /** A masked text frame "first" (RFC 6455 5.7 masking key 37 fa 21 3d). */
    private static final byte[] FIRST = maskedText("first");

    @Test
    void H2_defaultIs64KiBAndBelowOneIsRefused() {
        assertEquals(64 * 1024, ConnectionOptions.DEFAULTS.inboundQueueLimit());
        assertEquals(1, ConnectionOptions.builder().inboundQueueLimit(1).build().inboundQueueLimit());
        assertEquals(7, ConnectionOptions.builder().inboundQueueLimit(7).build().toBuilder().build().inboundQueueLimit());
        assertThrows(IllegalArgumentException.class, () -> ConnectionOptions.builder().inboundQueueLimit(0).build());
    }

    @Test
    void H2_readingStopsWhenTheHeldBytesReachTheLimit() throws Exception {
        try (Pair pair = new Pair(100)) {
            pair.peer.write(FIRST);
            pair.awaitBusy();
            pair.peer.write(new byte[100]); // held, never parsed while the handler is busy
            await(() -> pair.connection.heldBytes() == 100, "100 bytes held");
            await(pair.connection::readingStopped, "reading stopped at the limit");
            assertEquals(100, pair.connection.heldBytes());
        }
    }

    @Test
    void H2_readingGoesOnOneByteUnderTheLimit() throws Exception {
        try (Pair pair = new Pair(101)) {
            pair.peer.write(FIRST);
            pair.awaitBusy();
            pair.peer.write(new byte[100]);
            await(() -> pair.connection.heldBytes() == 100, "100 bytes held");
            pair.peer.write(new byte[1]); // still read: 100 is under the limit of 101
            await(() -> pair.connection.heldBytes() == 101, "the 101st byte read");
            await(pair.connection::readingStopped, "reading stopped at the limit");
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        CountDownLatch never = new CountDownLatch(1);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            never.await(5, TimeUnit.MILLISECONDS); // polls with a deadline
        }
    }

    private static byte[] maskedText(String text) {
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(key, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ key[i % 4]);
        }
        return frame;
    }

    /** A server-side connection over loopback whose handler blocks on its first message. */
    private static final class Pair implements AutoCloseable {
        final CountDownLatch busy = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final Timers timers = new Timers("test-timers");
        final Socket client;
        final Socket server;
        final OutputStream peer;
        final SocketConnection connection;
        final Thread loop;

        Pair(long limit) throws Exception {
            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                server = listener.accept();
            }
            peer = client.getOutputStream();
            ConnectionOptions options = ConnectionOptions.builder()
                    .pingInterval(Duration.ZERO).inboundQueueLimit(limit).build();
            WebSocketHandler handler = new WebSocketHandler() {
                @Override
                public void onMessage(WebSocket socket, Message message) {
                    busy.countDown();
                    try {
                        release.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS); // a busy application
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            HttpRequest request = new HttpRequest("GET", "/", "HTTP/1.1", Headers.builder().build());
            Handshake handshake = new Handshake(request, (InetSocketAddress) server.getRemoteSocketAddress(), null, Map.of());
            connection = new SocketConnection(server, server, new Connection(Role.SERVER, Limits.DEFAULTS, null, null),
                    options, handler, handshake, timers, ByteBuffer.allocate(0), c -> { });
            loop = Thread.ofVirtual().start(connection::run);
        }

        void awaitBusy() throws InterruptedException {
            assertTrue(busy.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "the handler got the first message");
        }

        @Override
        public void close() throws Exception {
            release.countDown();
            connection.abort();
            client.close();
            loop.join(DEADLINE);
            timers.close();
        }
    }
}
