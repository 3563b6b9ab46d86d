package dev.duplex.compliance.catalogue;

import static dev.duplex.compliance.catalogue.Frames.bytes;
import static dev.duplex.compliance.catalogue.Frames.cat;
import static dev.duplex.compliance.catalogue.Frames.echoOf;
import static dev.duplex.compliance.catalogue.Frames.frame;
import static dev.duplex.compliance.catalogue.Frames.text;
import static dev.duplex.compliance.robustness.RawPeer.CLOSE;
import static dev.duplex.compliance.robustness.RawPeer.TEXT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.Message;
import dev.duplex.SendOption;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.compliance.robustness.RawPeer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.Inflater;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogue sections E (the close handshake) and G (permessage-deflate). Besides the echo
 * route the servers have routes whose handlers act first: {@code /e5} tries closes the API
 * must refuse, {@code /close-first} closes and waits, {@code /race} sends while the peer
 * closes, {@code /g6} echoes each message twice, the second time uncompressed. At most two
 * connections keep a compressor between messages (row G4).
 */
@Isolated
class CloseAndDeflateRowsTest {
    private static final int COMPRESSORS = 2;
    private static final Map<String, CompletableFuture<String>> OUTCOMES = new ConcurrentHashMap<>();

    @RegisterExtension
    static final CatalogueServers servers = new CatalogueServers(
            (b, echo) -> b.compression(CompressionOptions.ENABLED.withMaxContextTakeoverCompressors(COMPRESSORS))
                    .route("/e5", new RefusedCloses())
                    .route("/close-first", new ClosesFirst())
                    .route("/race", new SendsWhileClosing())
                    .route("/g6", new EchoesTwice()),
            o -> o);

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void E1_closePayloadOfOneByteOrOver125Gets1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer one = s.upgrade("/echo");
            s.send(one, frame(true, 0, CLOSE, bytes(0x03)));
            s.expectClose(one, 1002);
            RawPeer tooLong = s.upgrade("/echo");
            s.send(tooLong, Frames.close(1000, "r".repeat(124).getBytes(UTF_8))); // 126 bytes
            s.expectClose(tooLong, 1002);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void E2_emptyCloseIsAnsweredAndTheApplicationSees1005(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            String id = s.lastId();
            s.send(peer, frame(true, 0, CLOSE, new byte[0]));
            RawPeer.Frame reply = peer.readFrame();
            assertEquals(CLOSE, reply.opcode(), () -> "expected the close reply, got " + reply);
            assertEquals(0, reply.payload().length, "an empty close is answered with an empty one (1005 never goes on the wire)");
            s.expectEnd(peer, Duration.ZERO, Session.PROMPTLY);
            assertEquals(1005, s.servers().handler().awaitClose(id, Duration.ofSeconds(5)).code(), "what the application sees");
            s.note("empty reply; onClose 1005");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void E3_closeCodesThatMayNotBeSentGet1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
                RawPeer peer = s.upgrade("/echo");
                s.send(peer, Frames.close(code, new byte[0]));
                s.expectClose(peer, 1002);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void E4_validCloseCodesCompleteTheClose(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1010, 1011, 1014, 3000, 4999}) {
                RawPeer peer = s.upgrade("/echo");
                String id = s.lastId();
                s.send(peer, Frames.close(code, "bye".getBytes(UTF_8)));
                s.expectClose(peer, code); // echoed
                assertEquals(code, s.servers().handler().awaitClose(id, Duration.ofSeconds(5)).code());
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void E5_theApiRefusesClosesThatMayNotBeSent(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/e5");
            RawPeer.Frame report = peer.readFrame();
            assertEquals("refused 5 of 5", report.text(), "1005, 1006, 1015, a 124-byte reason, an unpaired surrogate");
            s.send(peer, Frames.close(1000, new byte[0]));
            s.expectClose(peer, 1000); // none of them went out: the first close is ours
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void E6_invalidUtf8InACloseReasonGets1007(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.send(peer, Frames.close(1000, bytes(0x61, 0xFF)));
            s.expectClose(peer, 1007);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void E7_silentPeerIsAbortedAfterTheCloseTimeoutAndTcpClosesRightAfterAHandshake(Transport transport, Delivery delivery)
            throws Exception {
        Duration timeout = CatalogueServers.CLOSE_TIMEOUT;
        servers.row(transport, delivery, s -> {
            RawPeer silent = s.upgrade("/close-first");
            RawPeer.Frame close = silent.readFrame();
            assertEquals(1000, close.closeCode());
            s.startClock(); // the server's close is out; the peer neither answers nor closes
            s.note("no answer: aborted after " + s.expectEnd(silent, timeout.minusMillis(100), timeout.plusSeconds(2)) + " ms");

            RawPeer polite = s.upgrade("/echo");
            s.send(polite, Frames.close(1000, new byte[0]));
            RawPeer.Frame reply = polite.readFrame();
            assertEquals(1000, reply.closeCode());
            // Well inside the close timeout: the server closes TCP first, at once (RFC 6455 7.1.1).
            s.note("handshake done: TCP closed after " + s.expectEnd(polite, Duration.ZERO, timeout.dividedBy(2)) + " ms");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void E8_sendsRacingACloseNeitherHangNorLeakAndFailAfterIt(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/race");
            String id = s.lastId();
            s.send(peer, Frames.close(1000, new byte[0]));
            RawPeer.Frame frame;
            int messages = 0;
            while ((frame = peer.readFrame()).opcode() == TEXT) {
                messages++;
            }
            assertEquals(1000, frame.closeCode(), "the close reply, after whatever was sent before it");
            s.expectEnd(peer, Duration.ZERO, Session.PROMPTLY);
            String outcome = OUTCOMES.computeIfAbsent(id, k -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
            assertEquals("all sends settled; the send after onClose failed", outcome);
            s.note(messages + " messages before the close; " + outcome);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void G1_decompressionBombGets1009(Transport transport, Delivery delivery) throws Exception {
        byte[] bomb = Frames.deflate(new byte[8 * 1024 * 1024]); // 8 MiB of zeros in about 8 KiB
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgradeWithDeflate("/echo");
            s.send(peer, frame(true, 0x40, RawPeer.BINARY, bomb));
            s.expectClose(peer, 1009);
            s.note(bomb.length + " compressed bytes for 8 MiB, limit " + CatalogueServers.MAX_MESSAGE_SIZE);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void G2_corruptDeflateStreamGets1007(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgradeWithDeflate("/echo");
            s.send(peer, frame(true, 0x40, TEXT, bytes(0xFF, 0xFF, 0xFF, 0xFF)));
            s.expectClose(peer, 1007);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void G3_rsv1WithoutDeflateNegotiatedGets1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.send(peer, frame(true, 0x40, TEXT, Frames.deflate("Hello".getBytes(UTF_8))));
            s.expectClose(peer, 1002);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void G4_compressorsAreCappedAndFreedOnClose(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            List<String> heads = new ArrayList<>();
            for (int i = 0; i <= COMPRESSORS; i++) {
                String[] head = {null};
                s.upgrade("/echo", head, "Sec-WebSocket-Extensions: permessage-deflate");
                heads.add(head[0]);
            }
            for (int i = 0; i < COMPRESSORS; i++) {
                assertFalse(heads.get(i).contains("no_context_takeover"), "a free slot keeps context: " + heads.get(i));
            }
            String capped = heads.get(COMPRESSORS);
            assertTrue(capped.contains("server_no_context_takeover") && capped.contains("client_no_context_takeover"),
                    () -> "past the cap the server imposes no context takeover both ways: " + capped);
            s.closeAll();
            // Closing gives the slots back (end() on close): a new connection keeps context again.
            String[] again = {null};
            dev.duplex.compliance.robustness.Await.until(Duration.ofSeconds(5), () -> {
                try (RawPeer peer = s.upgrade("/echo", again, "Sec-WebSocket-Extensions: permessage-deflate")) {
                    return !again[0].contains("no_context_takeover");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, () -> "no slot came back after the connections closed: " + again[0]);
            s.note("cap " + COMPRESSORS + ": the third gets no context takeover; slots return on close");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void G5_smallServerWindowIsHonoured(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            String[] head = {null};
            RawPeer peer = s.upgrade("/echo", head, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10");
            assertTrue(head[0].contains("server_max_window_bits=10"), () -> "window not honoured: " + head[0]);
            String text = "abcdefghij".repeat(100);
            s.send(peer, text(text));
            Wire reply = Wire.read(peer);
            assertTrue(reply.rsv1(), "a 1000-byte echo is compressed");
            assertEquals(text, new String(inflate(reply.payload()), UTF_8), "the compressed echo inflates to the message");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void G6_aMessageCanOptOutOfCompression(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgradeWithDeflate("/g6");
            String secret = "csrf=" + "s3cr3t".repeat(40);
            s.send(peer, text(secret));
            Wire compressed = Wire.read(peer);
            Wire plain = Wire.read(peer);
            assertTrue(compressed.rsv1(), "the ordinary echo is compressed");
            assertFalse(plain.rsv1(), "the UNCOMPRESSED echo has RSV1 clear");
            assertArrayEquals(secret.getBytes(UTF_8), plain.payload(), "and goes out as it is");
        });
    }

    /** A server frame read with its RSV1 bit, which RawPeer.Frame does not keep. */
    record Wire(boolean rsv1, int opcode, byte[] payload) {
        static Wire read(RawPeer peer) throws IOException {
            peer.socket().setSoTimeout((int) RawPeer.READ_DEADLINE.toMillis());
            DataInputStream in = new DataInputStream(peer.input());
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Wire((b0 & 0x40) != 0, b0 & 0x0f, payload);
        }
    }

    private static byte[] inflate(byte[] payload) throws Exception {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(cat(payload, bytes(0x00, 0x00, 0xFF, 0xFF)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = inflater.inflate(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    /** Row E5: tries five closes the API must refuse, and reports how many it did. */
    static final class RefusedCloses implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket socket) {
            int refused = 0;
            for (Runnable attempt : List.<Runnable>of(
                    () -> socket.close(1005, ""), () -> socket.close(1006, ""), () -> socket.close(1015, ""),
                    () -> socket.close(1000, "r".repeat(124)), () -> socket.close(1000, "\uD800"))) {
                try {
                    attempt.run();
                } catch (IllegalArgumentException e) {
                    refused++;
                }
            }
            socket.sendText("refused " + refused + " of 5");
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {}
    }

    /** Row E7: closes as soon as the connection opens. */
    static final class ClosesFirst implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket socket) {
            socket.close(1000, "bye");
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {}
    }

    /** Row E8: sends 500 messages from another thread while the peer closes. */
    static final class SendsWhileClosing implements WebSocketHandler {
        private final Map<WebSocket, List<CompletableFuture<Void>>> sends = new ConcurrentHashMap<>();

        @Override
        public void onOpen(WebSocket socket) {
            List<CompletableFuture<Void>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
            sends.put(socket, futures);
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 500; i++) {
                    try {
                        futures.add(socket.sendText("message " + i));
                    } catch (IllegalStateException closed) {
                        break; // refused outright once closed: as deterministic as a failed future
                    }
                }
            });
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {}

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            List<CompletableFuture<Void>> futures = sends.remove(socket);
            String id = CatalogueHandler.idOf(socket);
            CompletableFuture<String> outcome = OUTCOMES.computeIfAbsent(id, k -> new CompletableFuture<>());
            Thread.ofVirtual().start(() -> {
                try {
                    List<CompletableFuture<Void>> all;
                    synchronized (futures) {
                        all = List.copyOf(futures);
                    }
                    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                            .handle((v, e) -> null).get(5, TimeUnit.SECONDS);
                    boolean lateFailed;
                    try {
                        lateFailed = socket.sendText("late").handle((v, e) -> e != null).get(5, TimeUnit.SECONDS);
                    } catch (IllegalStateException refused) {
                        lateFailed = true;
                    }
                    outcome.complete(lateFailed ? "all sends settled; the send after onClose failed"
                            : "a send after onClose succeeded");
                } catch (Exception e) {
                    outcome.complete("sends did not settle: " + e);
                }
            });
        }
    }

    /** Row G6: echoes each message, then echoes it again with compression turned off. */
    static final class EchoesTwice implements WebSocketHandler {
        @Override
        public void onMessage(WebSocket socket, Message message) {
            socket.send(message);
            socket.send(message, SendOption.UNCOMPRESSED);
        }
    }
}
