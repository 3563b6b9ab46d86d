package dev.duplex.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.HandshakeFailedException;
import dev.duplex.Message;
import dev.duplex.SendOption;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.client.FakeServer.Frame;
import dev.duplex.client.FakeServer.Request;
import dev.duplex.protocol.extension.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * permessage-deflate on the client (RFC 7692) against a hand-written fake server: the offer it
 * makes by default, row B3 (a response that goes beyond the offer fails the handshake, never
 * later inside zlib), and what the agreement does to the frames each way.
 */
class ClientDeflateHandshakeTest {
    private static final long TIMEOUT = RecordingHandler.TIMEOUT_SECONDS;
    /** RFC 7692 7.2.3.1: "Hello" compressed in one frame, as a server sends it. */
    private static final byte[] HELLO_COMPRESSED = HexFormat.of().parseHex("c107f248cdc9c90700");

    private static ClientOptions withDeflate(PerMessageDeflate.Config config) {
        return ClientOptions.builder().compression(CompressionOptions.ENABLED.withDeflate(config)).build();
    }

    // ---------------------------------------------------------------- the offer

    @Test
    void s7_1_theClientOffersPermessageDeflateByDefaultAsBrowsersDo() throws Exception {
        BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            requests.add(r);
            peer.accept(r);
        })) {
            WebSocket socket = WebSocketClient.create().connect(server.uri("/"), new RecordingHandler())
                    .get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("permessage-deflate; client_max_window_bits",
                    requests.poll(TIMEOUT, TimeUnit.SECONDS).field("Sec-WebSocket-Extensions"));
            assertTrue(socket.handshake().extensions().isEmpty(), "no extension in the 101: uncompressed");
            socket.abort();
        }
    }

    @Test
    void s7_1_theOfferCarriesTheConfiguredRequestsAndDisabledOffersNothing() throws Exception {
        BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            requests.add(r);
            peer.accept(r);
        })) {
            ClientOptions asking = withDeflate(PerMessageDeflate.Config.DEFAULTS.withoutContextTakeover()
                    .withServerMaxWindowBits(10).withClientMaxWindowBits(12));
            WebSocketClient.create(asking).connect(server.uri("/"), new RecordingHandler())
                    .get(TIMEOUT, TimeUnit.SECONDS).abort();
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                    + "server_max_window_bits=10; client_max_window_bits=12",
                    requests.poll(TIMEOUT, TimeUnit.SECONDS).field("Sec-WebSocket-Extensions"));

            ClientOptions off = ClientOptions.builder().compression(CompressionOptions.DISABLED).build();
            WebSocketClient.create(off).connect(server.uri("/"), new RecordingHandler())
                    .get(TIMEOUT, TimeUnit.SECONDS).abort();
            assertNull(requests.poll(TIMEOUT, TimeUnit.SECONDS).field("Sec-WebSocket-Extensions"));
        }
    }

    // ---------------------------------------------------------------- B3

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "not offered at all             | off       | permessage-deflate",
        "another extension              | default   | x-webkit-deflate-frame",
        "accepted twice                 | default   | permessage-deflate, permessage-deflate",
        "client bits not offered        | min15     | permessage-deflate; client_max_window_bits=10",
        "client bits without a value    | default   | permessage-deflate; client_max_window_bits",
        "client bits above 15           | default   | permessage-deflate; client_max_window_bits=16",
        "client bits below 8            | default   | permessage-deflate; client_max_window_bits=7",
        "client bits above the offer    | client10  | permessage-deflate; client_max_window_bits=11",
        "client bits below our minimum  | min12     | permessage-deflate; client_max_window_bits=9",
        "server bits above 15           | default   | permessage-deflate; server_max_window_bits=16",
        "server bits below 8            | default   | permessage-deflate; server_max_window_bits=7",
        "server bits with a leading 0   | default   | permessage-deflate; server_max_window_bits=010",
        "server bits without a value    | default   | permessage-deflate; server_max_window_bits",
        "server bits above the request  | server10  | permessage-deflate; server_max_window_bits=12",
        "server bits request ignored    | server10  | permessage-deflate",
        "no context takeover ignored    | noserverctx | permessage-deflate",
        "a repeated parameter           | default   | permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "a value on a flag              | default   | permessage-deflate; client_no_context_takeover=1",
        "an unknown parameter           | default   | permessage-deflate; x_window=9",
    })
    void B3_aResponseBeyondTheOfferFailsTheHandshakeWithTheStatusAndTheHead(String what, String config,
                                                                           String extensions) throws Exception {
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            peer.accept(r, "Sec-WebSocket-Extensions: " + extensions + "\r\n", new byte[0]);
            peer.readsEndOfStream(); // the client closes without a frame
        })) {
            RecordingHandler handler = new RecordingHandler();
            CompletableFuture<WebSocket> f = WebSocketClient.create(options(config)).connect(server.uri("/"), handler);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS));
            HandshakeFailedException failed = assertInstanceOf(HandshakeFailedException.class, e.getCause(), what);
            assertEquals(101, failed.status());
            assertEquals(extensions, failed.headers().first("Sec-WebSocket-Extensions").orElseThrow(),
                    "the head travels with the exception");
            assertFalse(handler.opened.isDone(), "the handler never saw a connection");
        }
    }

    private static ClientOptions options(String name) {
        PerMessageDeflate.Config d = PerMessageDeflate.Config.DEFAULTS;
        return switch (name) {
            case "off" -> ClientOptions.builder().compression(CompressionOptions.DISABLED).build();
            case "default" -> ClientOptions.DEFAULTS;
            case "min15" -> withDeflate(d.withMinWindowBits(15));
            case "min12" -> withDeflate(d.withMinWindowBits(12));
            case "client10" -> withDeflate(d.withClientMaxWindowBits(10));
            case "server10" -> withDeflate(d.withServerMaxWindowBits(10));
            case "noserverctx" -> withDeflate(d.withServerNoContextTakeover(true));
            default -> throw new IllegalArgumentException(name);
        };
    }

    // ---------------------------------------------------------------- after the agreement

    @Test
    void s7_2_anAgreedExtensionCompressesOutboundAndInflatesInbound() throws Exception {
        BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            Request r = peer.readRequest();
            peer.accept(r, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n",
                    HELLO_COMPRESSED);
            for (int i = 0; i < 3; i++) {
                frames.add(peer.readFrame());
            }
        })) {
            RecordingHandler handler = new RecordingHandler();
            WebSocket socket = WebSocketClient.create().connect(server.uri("/"), handler).get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("permessage-deflate; client_no_context_takeover",
                    socket.handshake().extension(PerMessageDeflate.NAME).orElseThrow().toHeaderValue());
            assertEquals(new Message.Text("Hello"), handler.nextMessage(), "RFC 7692 7.2.3.1 inflated");

            String large = "compress me ".repeat(100);
            socket.sendText(large);
            socket.sendText(large, SendOption.UNCOMPRESSED);
            socket.sendText("short"); // under the default 64-byte threshold
            Frame compressed = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            Frame optedOut = frames.poll(TIMEOUT, TimeUnit.SECONDS);
            Frame small = frames.poll(TIMEOUT, TimeUnit.SECONDS);

            assertEquals(PerMessageDeflate.RSV1, compressed.rsv(), "RSV1 marks a compressed message (RFC 7692 6)");
            assertTrue(compressed.masked());
            assertTrue(compressed.payload().length < 100, "1200 repetitive bytes deflate well");
            assertArrayEquals(large.getBytes(StandardCharsets.UTF_8), inflate(compressed.payload()));
            assertEquals(0, optedOut.rsv(), "SendOption.UNCOMPRESSED keeps a message out (row G6)");
            assertArrayEquals(large.getBytes(StandardCharsets.UTF_8), optedOut.payload());
            assertEquals(0, small.rsv(), "below the threshold a message goes as it is");
            assertEquals("short", small.text());
            socket.abort();
        }
    }

    /** RFC 7692 7.2.2: append 00 00 ff ff and inflate raw DEFLATE data. */
    private static byte[] inflate(byte[] payload) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(payload);
            all.writeBytes(new byte[] {0, 0, (byte) 0xff, (byte) 0xff});
            inflater.setInput(all.toByteArray());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = inflater.inflate(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }
}
