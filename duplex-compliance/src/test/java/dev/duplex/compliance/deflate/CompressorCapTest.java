package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.Message;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.Await;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Row G4: the server-wide cap on connections that keep compression state between messages.
 * Past the cap a new connection is told {@code server_no_context_takeover} and
 * {@code client_no_context_takeover} in its 101; a connection's slot comes back when it ends,
 * whichever way it ends. The slot and the zlib streams are released by the same call, so a slot
 * that comes back also shows that the connection's Deflater and Inflater were ended.
 */
class CompressorCapTest {
    private static final String TAKEOVER = "permessage-deflate";
    private static final String CAPPED = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /** Small, so that a compressed message of zeros passes it at once (row G1's path). */
    private static final int LIMIT = 64 * 1024;

    private WebSocketServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Echoes, except that "abort" and "close" make the server end the connection. */
    private WebSocketServer start(int cap) {
        ConnectionOptions options = DeflateServers.OPTIONS.toBuilder().maxMessageSize(LIMIT).build();
        server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .compression(DeflateServers.EVERY_MESSAGE.withMaxContextTakeoverCompressors(cap))
                .connectionOptions(options)
                .handshakeInterceptor(request -> request.query().equals("reject")
                        ? HandshakeInterceptor.Decision.reject(403)
                        : HandshakeInterceptor.Decision.accept())
                .route(DeflateServers.ECHO, (socket, message) -> {
                    String text = message instanceof Message.Text t ? t.text() : "";
                    switch (text) {
                        case "abort" -> socket.abort();
                        case "close" -> socket.close(4001, "asked to");
                        default -> socket.send(message);
                    }
                })
                .build()
                .start();
        return server;
    }

    @Test
    void G4_pastTheCapANewConnectionIsToldNoContextTakeoverAndAFreedSlotIsReused() throws IOException {
        start(2);
        try (DeflateClient first = connectAndExchange(TAKEOVER);
             DeflateClient second = connectAndExchange(TAKEOVER)) {
            try (DeflateClient third = DeflateClient.connect(server.port(), DeflateServers.ECHO, TAKEOVER)) {
                assertEquals(CAPPED, third.extensions(), "the third connection is past a cap of 2");
                exchange(third.agreed()); // and works, with windows reset as it was told
            }
            assertEquals(1000, first.closeHandshake(1000));
            Await.until(SETTLE, () -> server.connectionCount() == 1, () -> "connections: " + server.connectionCount());
            try (DeflateClient fourth = DeflateClient.connect(server.port(), DeflateServers.ECHO, TAKEOVER)) {
                assertEquals(TAKEOVER, fourth.extensions(), "the first connection's slot should be free again");
            }
        }
    }

    @Test
    void G4_aConnectionWithoutContextTakeoverBothWaysTakesNoSlot() throws IOException {
        start(1);
        try (DeflateClient resetting = connectAndExchange(CAPPED);
             DeflateClient keeping = connectAndExchange(TAKEOVER);
             DeflateClient capped = DeflateClient.connect(server.port(), DeflateServers.ECHO, TAKEOVER)) {
            assertEquals(CAPPED, resetting.extensions());
            assertEquals(TAKEOVER, keeping.extensions(), "the resetting connection must not have used the only slot");
            assertEquals(CAPPED, capped.extensions());
        }
    }

    @Test
    void G4_aCapOfZeroMeansNoContextTakeoverForEveryone() throws IOException {
        start(0);
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO,
                "permessage-deflate; client_max_window_bits")) {
            assertEquals(CAPPED, client.extensions());
            exchange(client.agreed());
        }
    }

    /** Every way a compressed connection, or a handshake that negotiated one, can end. */
    enum Ending {
        CLIENT_CLOSE_HANDSHAKE,
        CLIENT_DROPS_TCP,
        SERVER_HANDLER_CLOSES,
        SERVER_HANDLER_ABORTS,
        MESSAGE_TOO_BIG_1009,
        CORRUPT_STREAM_1007,
        INTERCEPTOR_REJECTS_AFTER_NEGOTIATION,
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void G4_theSlotAndTheZlibStreamsAreReleasedWhenTheConnectionEnds(Ending ending) throws IOException {
        start(1);
        if (ending == Ending.INTERCEPTOR_REJECTS_AFTER_NEGOTIATION) {
            try (DeflateClient rejected = DeflateClient.handshake(server.port(), DeflateServers.ECHO + "?reject", TAKEOVER)) {
                assertEquals(403, rejected.status());
            }
        } else {
            try (DeflateClient client = connectAndExchange(TAKEOVER)) {
                assertEquals(TAKEOVER, client.extensions());
                switch (ending) {
                    case CLIENT_CLOSE_HANDSHAKE -> assertEquals(1000, client.closeHandshake(1000));
                    case CLIENT_DROPS_TCP -> client.socket().close();
                    case SERVER_HANDLER_CLOSES -> {
                        client.sendMessage(DeflateClient.TEXT, "close".getBytes(UTF_8), true);
                        assertEquals(4001, client.readCloseCode());
                    }
                    case SERVER_HANDLER_ABORTS -> {
                        client.sendMessage(DeflateClient.TEXT, "abort".getBytes(UTF_8), true);
                        client.awaitEndOfStream(SETTLE);
                    }
                    case MESSAGE_TOO_BIG_1009 -> {
                        client.sendMessage(DeflateClient.BINARY, new byte[LIMIT + 1], true);
                        assertEquals(1009, client.readCloseCode());
                    }
                    case CORRUPT_STREAM_1007 -> {
                        client.sendFrame(true, DeflateClient.RSV1, DeflateClient.BINARY, new byte[] {-1, -1, -1, -1});
                        assertEquals(1007, client.readCloseCode());
                    }
                    default -> throw new AssertionError(ending);
                }
            }
        }
        Await.until(SETTLE, () -> server.connectionCount() == 0, () -> "connections: " + server.connectionCount());
        try (DeflateClient next = DeflateClient.connect(server.port(), DeflateServers.ECHO, TAKEOVER)) {
            assertEquals(TAKEOVER, next.extensions(), "the only slot was not given back after " + ending);
        }
    }

    private DeflateClient connectAndExchange(String offer) throws IOException {
        DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, offer);
        try {
            exchange(client.agreed());
            return client;
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /** One compressed message each way, so the server has created its Deflater and Inflater. */
    private static void exchange(DeflateClient client) throws IOException {
        byte[] message = "one compressed message each way ".repeat(8).getBytes(UTF_8);
        client.sendMessage(DeflateClient.TEXT, message, true);
        DeflateClient.WireMessage echo = client.readMessage();
        assertTrue(echo.compressed());
        assertArrayEquals(message, echo.payload());
    }
}
