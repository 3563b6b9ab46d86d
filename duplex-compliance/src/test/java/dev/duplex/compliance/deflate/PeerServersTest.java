package dev.duplex.compliance.deflate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.peers.ExternalPeer;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.ExtensionOffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Duplex's client, which offers permessage-deflate by default, against independent compressing
 * servers: Python {@code websockets} (Debian's python3-websockets; 10.4 when written) and Node
 * {@code ws} (8.18.3, from duplex-compliance/src/test/node), each with and without context
 * takeover, and Duplex's own server with compression on, as {@code duplex serve --compression}
 * runs it. Text and binary of 0, 125, 126, 65536 bytes and 1 MiB go out and must come back
 * as they went. The connection runs through a {@link WireTap}, so the test sees for itself
 * that both directions carried RSV1 frames, that context takeover (or its absence) shows in the
 * frame sizes, and that no control frame had an RSV bit.
 *
 * <p>A peer that is not installed skips its cases; {@code scripts/install-peers.sh} installs both.
 */
class PeerServersTest {
    private static final long TIMEOUT_SECONDS = 30;
    private static final int[] SIZES = {0, 125, 126, 65536, 1 << 20};
    /** Room for the 1 MiB echoes; the rest are the client's defaults, compression included. */
    private static final ClientOptions CLIENT = ClientOptions.builder()
            .connectionOptions(DeflateServers.OPTIONS)
            .build();

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({
        "python, takeover",
        "python, no_takeover",
        "node,   takeover",
        "node,   no_takeover",
        "duplex, takeover",
        "duplex, no_takeover",
    })
    void theClientExchangesCompressedMessages(String peer, String mode) throws Exception {
        boolean takeover = mode.equals("takeover");
        try (Server server = start(peer, mode); WireTap tap = new WireTap(server.port())) {
            Client client = new Client();
            WebSocket socket = WebSocketClient.create(CLIENT)
                    .connect(URI.create("ws://127.0.0.1:" + tap.port() + DeflateServers.ECHO), client)
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            System.out.println("compressing client against " + server.name() + ", " + mode + ": "
                    + socket.handshake().extensions().stream().map(ExtensionOffer::toHeaderValue).toList());

            ExtensionOffer agreed = socket.handshake().extension(PerMessageDeflate.NAME)
                    .orElseThrow(() -> new AssertionError("no permessage-deflate in " + socket.handshake().extensions()));
            if (!takeover) {
                assertTrue(agreed.parameter("server_no_context_takeover").isPresent()
                        && agreed.parameter("client_no_context_takeover").isPresent(), agreed::toHeaderValue);
            }
            assertEquals(1, tap.switchingResponses().size());
            assertTrue(tap.switchingResponses().get(0).contains("Sec-WebSocket-Extensions: " + agreed.toHeaderValue()),
                    () -> "the 101 on the wire: " + tap.switchingResponses());

            long seed = System.nanoTime();
            SplittableRandom random = new SplittableRandom(seed);
            for (int size : SIZES) {
                for (boolean text : new boolean[] {true, false}) {
                    byte[] payload = SamplePayloads.compressible(size, text, random);
                    String what = (text ? "text " : "binary ") + size + " bytes, seed " + seed;
                    if (text) {
                        socket.sendText(new String(payload, StandardCharsets.UTF_8));
                        assertEquals(new Message.Text(new String(payload, StandardCharsets.UTF_8)), client.next(), what);
                    } else {
                        socket.sendBinary(payload);
                        assertArrayEquals(payload, ((Message.Binary) client.next()).data(), what);
                    }
                }
            }

            // The same 2 KiB of random letters twice: with context takeover the second copy is a
            // back-reference into the first, in both directions; without, it costs as much again.
            String letters = randomLetters(2048, random);
            List<WireTap.SeenFrame> before = tap.frames();
            socket.sendText(letters);
            socket.sendText(letters);
            assertEquals(new Message.Text(letters), client.next());
            assertEquals(new Message.Text(letters), client.next());
            List<WireTap.SeenFrame> repeated = tap.frames().subList(before.size(), tap.frames().size());
            for (boolean fromClient : new boolean[] {true, false}) {
                long[] sizes = repeated.stream().filter(f -> f.fromClient() == fromClient && f.opcode() == 0x1)
                        .mapToLong(WireTap.SeenFrame::length).toArray();
                String who = (fromClient ? "Duplex's client" : server.name()) + " sent " + Arrays.toString(sizes);
                assertEquals(2, sizes.length, who);
                assertTrue(takeover ? sizes[1] < sizes[0] / 4 : sizes[1] > sizes[0] * 3 / 4, who);
            }

            // 1 MiB that compresses to almost nothing: RSV1 and a tiny frame each way.
            String mebibyte = "all work and no play ".repeat((1 << 20) / 21 + 1).substring(0, 1 << 20);
            before = tap.frames();
            socket.sendText(mebibyte);
            assertEquals(new Message.Text(mebibyte), client.next());
            for (WireTap.SeenFrame f : tap.frames().subList(before.size(), tap.frames().size())) {
                assertTrue(f.compressed() && f.length() < 16 * 1024, () -> "1 MiB of one phrase on the wire: " + f);
            }

            socket.close().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(1000, client.closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            assertCompressedBothWaysAndNeverOnControlFrames(tap.frames());
        }
    }

    private static void assertCompressedBothWaysAndNeverOnControlFrames(List<WireTap.SeenFrame> frames) {
        assertTrue(frames.stream().anyMatch(f -> f.fromClient() && f.compressed()), () -> "none from the client: " + frames);
        assertTrue(frames.stream().anyMatch(f -> !f.fromClient() && f.compressed()), () -> "none from the server: " + frames);
        for (WireTap.SeenFrame f : frames) {
            if (f.opcode() >= 0x8 || f.opcode() == 0x0) {
                assertEquals(0, f.rsv(), () -> "RSV bits on a control or continuation frame (RFC 7692 6.1): " + f);
            }
            if (f.fromClient() && f.opcode() != 0x8 && f.length() >= PerMessageDeflate.Config.DEFAULT_THRESHOLD) {
                // The client's threshold is 64 bytes; this message was over it.
                assertTrue(f.compressed(), () -> "a message over the threshold from the client without RSV1: " + f);
            }
        }
    }

    private static String randomLetters(int length, SplittableRandom random) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) ('A' + random.nextInt(58));
        }
        return new String(chars);
    }

    /** A compressing echo server at {@link DeflateServers#ECHO}, in this JVM or another process. */
    private interface Server extends AutoCloseable {
        String name();

        int port();
    }

    private static Server start(String peer, String mode) throws Exception {
        if (peer.equals("duplex")) {
            PerMessageDeflate.Config deflate = mode.equals("takeover")
                    ? PerMessageDeflate.Config.DEFAULTS
                    : PerMessageDeflate.Config.DEFAULTS.withoutContextTakeover();
            WebSocketServer server = DeflateServers.echo(CompressionOptions.ENABLED.withDeflate(deflate));
            return new Server() {
                public String name() {
                    return "Duplex";
                }

                public int port() {
                    return server.port();
                }

                public void close() {
                    server.close();
                }
            };
        }
        ExternalPeer external = peer.equals("python") ? ExternalPeer.pythonDeflate(mode) : ExternalPeer.nodeDeflate(mode);
        return new Server() {
            public String name() {
                return external.name();
            }

            public int port() {
                return external.uri(DeflateServers.ECHO).getPort();
            }

            public void close() throws Exception {
                external.close();
            }
        };
    }

    /** The client's handler: messages in a queue, the close code in a future. */
    private static final class Client implements WebSocketHandler {
        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public void onMessage(WebSocket socket, Message message) {
            messages.add(message);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            closed.complete(code);
        }

        Message next() throws InterruptedException {
            Message m = messages.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no echo within " + TIMEOUT_SECONDS + " s");
            }
            return m;
        }
    }
}
