package dev.duplex.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WireTap;
import dev.duplex.client.FakeServer.Request;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientOptions.Builder#wireTap}: what a tap sees (the heads as they crossed the socket,
 * frames that came in the same read as the 101, masked frames as sent), and that a tap that
 * throws cannot hurt the connection.
 */
class WireTapTest {
    private static final long TIMEOUT = RecordingHandler.TIMEOUT_SECONDS;
    private static final String HEAD_EXTRA = "X-Fake: yes\r\n";

    /** Copies everything it is shown. */
    private static final class Recording implements WireTap {
        final ReentrantLock lock = new ReentrantLock();
        final CompletableFuture<byte[][]> heads = new CompletableFuture<>();
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        @Override
        public void handshake(ByteBuffer request, ByteBuffer response) {
            heads.complete(new byte[][] {bytes(request), bytes(response)});
        }

        @Override
        public void sent(ByteBuffer bytes) {
            lock.lock();
            try {
                sent.writeBytes(bytes(bytes));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void received(ByteBuffer bytes) {
            lock.lock();
            try {
                received.writeBytes(bytes(bytes));
            } finally {
                lock.unlock();
            }
        }

        byte[] sentBytes() {
            lock.lock();
            try {
                return sent.toByteArray();
            } finally {
                lock.unlock();
            }
        }

        byte[] receivedBytes() {
            lock.lock();
            try {
                return received.toByteArray();
            } finally {
                lock.unlock();
            }
        }

        private static byte[] bytes(ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.get(copy);
            return copy;
        }
    }

    @Test
    void theTapSeesTheHeadsTheFramesAfterThe101AndTheMaskedFramesSent() throws Exception {
        byte[] early = FakeServer.textFrame("in the same read as the 101");
        CompletableFuture<FakeServer.Frame> frame = new CompletableFuture<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            peer.accept(r, HEAD_EXTRA, early);
            frame.complete(peer.readFrame());
        })) {
            Recording tap = new Recording();
            AtomicInteger attempts = new AtomicInteger();
            ClientOptions options = ClientOptions.builder().compression(CompressionOptions.DISABLED)
                    .wireTap(() -> {
                        attempts.incrementAndGet();
                        return tap;
                    }).build();
            RecordingHandler handler = new RecordingHandler();
            WebSocket socket = WebSocketClient.create(options).connect(server.uri("/tapped"), handler)
                    .get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(new Message.Text("in the same read as the 101"), handler.nextMessage());
            socket.sendText("hi").get(TIMEOUT, TimeUnit.SECONDS);
            FakeServer.Frame got = frame.get(TIMEOUT, TimeUnit.SECONDS);

            byte[][] heads = tap.heads.get(TIMEOUT, TimeUnit.SECONDS);
            String request = new String(heads[0], StandardCharsets.ISO_8859_1);
            String response = new String(heads[1], StandardCharsets.ISO_8859_1);
            assertTrue(request.startsWith("GET /tapped HTTP/1.1\r\n") && request.endsWith("\r\n\r\n"), request);
            assertTrue(response.startsWith("HTTP/1.1 101 ") && response.endsWith(HEAD_EXTRA + "\r\n"),
                    "the head alone, without the frame after it: " + response);
            assertArrayEquals(early, Arrays.copyOf(tap.receivedBytes(), early.length), "row B5: the early frame");

            byte[] sent = tap.sentBytes();
            assertEquals(2 + 4 + 2, sent.length, "one masked frame of 2 bytes");
            assertEquals(0x81, sent[0] & 0xff);
            assertEquals(0x82, sent[1] & 0xff, "MASK=1, length 2");
            int key = ByteBuffer.wrap(sent, 2, 4).getInt();
            assertEquals(got.maskingKey(), key, "the bytes the server read");
            assertEquals(1, attempts.get());
            socket.abort();
        }
    }

    @Test
    void aTapThatThrowsIsLeftOutAndTheConnectionGoesOn() throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            peer.accept(r);
            FakeServer.Frame f = peer.readFrame();
            peer.write(FakeServer.textFrame(f.text()));
            peer.write(FakeServer.textFrame(peer.readFrame().text()));
        })) {
            AtomicInteger calls = new AtomicInteger();
            WireTap broken = new WireTap() {
                @Override
                public void sent(ByteBuffer bytes) {
                    calls.incrementAndGet();
                    throw new IllegalStateException("a broken tap");
                }
            };
            ClientOptions options = ClientOptions.builder().wireTap(() -> broken).build();
            RecordingHandler handler = new RecordingHandler();
            WebSocket socket = WebSocketClient.create(options).connect(server.uri("/"), handler)
                    .get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendText("one");
            socket.sendText("two");
            assertEquals(new Message.Text("one"), handler.nextMessage());
            assertEquals(new Message.Text("two"), handler.nextMessage());
            assertEquals(1, calls.get(), "called once, then left out");
            assertTrue(handler.errors.isEmpty(), handler.errors::toString);
            socket.abort();
        }
    }
}
