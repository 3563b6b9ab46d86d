package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.SendOption;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a compressing server puts on the wire and takes from it: the RFC 7692 7.2.3 examples
 * byte for byte in both directions, RSV1 on exactly the frames that should carry it, context
 * takeover as agreed, the threshold, and the per-message opt-out. The client side is the JDK's
 * zlib behind {@link DeflateClient}, never Duplex's codec.
 */
class DeflateWireTest {
    private static final String TAKEOVER = "permessage-deflate";
    private static final String NO_TAKEOVER = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    /** Echoes every message with SendOption.UNCOMPRESSED, so what the server inflated shows as it is. */
    private static final String PLAIN_ECHO = "/plain-echo";

    private static WebSocketServer everyMessage;
    private static WebSocketServer plainEcho;
    private static WebSocketServer defaultThreshold;

    @BeforeAll
    static void start() {
        everyMessage = DeflateServers.echo(DeflateServers.EVERY_MESSAGE);
        plainEcho = DeflateServers.start(DeflateServers.EVERY_MESSAGE, DeflateServers.OPTIONS, PLAIN_ECHO,
                (socket, message) -> socket.send(message, SendOption.UNCOMPRESSED));
        defaultThreshold = DeflateServers.echo(CompressionOptions.ENABLED);
    }

    @AfterAll
    static void stop() {
        for (WebSocketServer s : new WebSocketServer[] {everyMessage, plainEcho, defaultThreshold}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Nested
    class Rfc7692Examples {
        private static final byte[] HELLO = "Hello".getBytes(UTF_8);

        @Test
        void s7_2_3_1_and_7_2_3_2_theServerSendsHelloTwiceAsTheRfcShowsWithContextTakeover() throws IOException {
            try (DeflateClient client = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO, TAKEOVER)) {
                client.sendMessage(DeflateClient.TEXT, HELLO, false);
                assertFrame("c1", "f2 48 cd c9 c9 07 00", client.readFrame());
                client.sendMessage(DeflateClient.TEXT, HELLO, false);
                assertFrame("c1", "f2 00 11 00 00", client.readFrame());
            }
        }

        @Test
        void s7_2_3_2_withoutContextTakeoverTheSecondHelloRepeatsTheFirst() throws IOException {
            try (DeflateClient client = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO,
                    "permessage-deflate; server_no_context_takeover")) {
                for (int i = 0; i < 3; i++) {
                    client.sendMessage(DeflateClient.TEXT, HELLO, false);
                    assertFrame("c1", "f2 48 cd c9 c9 07 00", client.readFrame());
                }
            }
        }

        @Test
        void s7_2_3_6_anEmptyMessageGoesOutAsOneZeroByte() throws IOException {
            try (DeflateClient client = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO, TAKEOVER)) {
                client.sendMessage(DeflateClient.BINARY, new byte[0], false);
                assertFrame("c2", "00", client.readFrame());
            }
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
            "c1 07 f2 48 cd c9 c9 07 00",                   // 7.2.3.1 a compressed message
            "41 03 f2 48 cd | 80 04 c9 c9 07 00",           // 7.2.3.1 the same, in two fragments
            "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00",       // 7.2.3.3 a stored (uncompressed) block
            "c1 08 f3 48 cd c9 c9 07 00 00",                // 7.2.3.4 a final block, BFINAL set
            "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00", // 7.2.3.5 two blocks in one message
        })
        void s7_2_3_theServerInflatesEachExampleToHello(String frames) throws IOException {
            try (DeflateClient client = DeflateClient.connect(plainEcho.port(), PLAIN_ECHO, TAKEOVER)) {
                sendUnmaskedExample(client, frames);
                DeflateClient.WireFrame echo = client.readFrame();
                assertEquals(0, echo.rsv(), "SendOption.UNCOMPRESSED must send without RSV1: " + echo);
                assertEquals("Hello", new String(echo.payload(), UTF_8));
            }
        }

        @Test
        void s7_2_3_2_theServerInflatesTheSecondHelloFromTheFirstsWindow() throws IOException {
            try (DeflateClient client = DeflateClient.connect(plainEcho.port(), PLAIN_ECHO, TAKEOVER)) {
                sendUnmaskedExample(client, "c1 07 f2 48 cd c9 c9 07 00");
                assertEquals("Hello", new String(client.readFrame().payload(), UTF_8));
                sendUnmaskedExample(client, "c1 05 f2 00 11 00 00");
                assertEquals("Hello", new String(client.readFrame().payload(), UTF_8));
                sendUnmaskedExample(client, "c1 01 00"); // 7.2.3.6: an empty message
                assertEquals(0, client.readFrame().payload().length);
            }
        }

        /** Sends the RFC's unmasked example frames ({@code |} between frames) masked, as a client must. */
        private static void sendUnmaskedExample(DeflateClient client, String frames) throws IOException {
            for (String frame : frames.split("\\|")) {
                byte[] bytes = HexFormat.ofDelimiter(" ").parseHex(frame.trim());
                int b1 = bytes[1] & 0x7f;
                byte[] payload = java.util.Arrays.copyOfRange(bytes, 2, 2 + b1);
                client.sendFrame((bytes[0] & 0x80) != 0, bytes[0] & 0x70, bytes[0] & 0x0f, payload);
            }
        }

        private static void assertFrame(String firstByte, String payloadHex, DeflateClient.WireFrame frame) {
            assertEquals(Integer.parseInt(firstByte, 16), (frame.fin() ? 0x80 : 0) | frame.rsv() | frame.opcode(),
                    () -> "first byte of " + frame);
            assertEquals(payloadHex, HexFormat.ofDelimiter(" ").formatHex(frame.payload()));
        }
    }

    @Nested
    class Messages {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {TAKEOVER, NO_TAKEOVER})
        void textAndBinaryUpToOneMebibyteEchoExactlyWithRsv1BothWays(String offer) throws IOException {
            long seed = System.nanoTime();
            SplittableRandom random = new SplittableRandom(seed);
            try (DeflateClient client = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO, offer)) {
                client.agreed();
                for (int size : new int[] {0, 1, 125, 126, 16 * 1024, 65_536, 256 * 1024, 1 << 20}) {
                    for (int opcode : new int[] {DeflateClient.TEXT, DeflateClient.BINARY}) {
                        byte[] payload = SamplePayloads.compressible(size, opcode == DeflateClient.TEXT, random);
                        String what = "seed " + seed + ", " + offer + ", opcode " + opcode + ", " + size + " bytes";
                        client.sendMessage(opcode, payload, true);
                        DeflateClient.WireMessage echo = client.readMessage();
                        assertEquals(opcode, echo.opcode(), what);
                        assertTrue(echo.compressed(), "no RSV1 on the echo: " + what);
                        assertArrayEquals(payload, echo.payload(), what);
                    }
                }
                assertEquals(1000, client.closeHandshake(1000));
            }
        }

        @Test
        void withContextTakeoverARepeatCostsAlmostNothingAndWithoutItCostsTheSame() throws IOException {
            byte[] message = SamplePayloads.compressible(4096, true, new SplittableRandom(7));
            try (DeflateClient takeover = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO, TAKEOVER);
                 DeflateClient reset = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO, NO_TAKEOVER)) {
                takeover.agreed();
                reset.agreed();
                int[] takeoverSizes = new int[3];
                int[] resetSizes = new int[3];
                for (int i = 0; i < 3; i++) {
                    takeover.sendMessage(DeflateClient.TEXT, message, true);
                    DeflateClient.WireMessage a = takeover.readMessage();
                    reset.sendMessage(DeflateClient.TEXT, message, true);
                    DeflateClient.WireMessage b = reset.readMessage();
                    assertArrayEquals(message, a.payload());
                    assertArrayEquals(message, b.payload());
                    takeoverSizes[i] = a.wireBytes();
                    resetSizes[i] = b.wireBytes();
                }
                // RFC 7692 7.1.1: the kept window turns a repeat into one back-reference.
                assertTrue(takeoverSizes[1] < 50 && takeoverSizes[2] < 50,
                        "repeats with context takeover: " + java.util.Arrays.toString(takeoverSizes));
                assertEquals(resetSizes[0], resetSizes[1], "no context takeover: every message stands alone");
                assertEquals(resetSizes[0], resetSizes[2]);
                assertTrue(resetSizes[0] > 500, "the first message is not trivially small: " + resetSizes[0]);
            }
        }

        @Test
        void aCompressedMessageInManyFragmentsCarriesRsv1OnlyOnTheFirst() throws IOException {
            byte[] message = SamplePayloads.compressible(300_000, false, new SplittableRandom(11));
            try (DeflateClient client = DeflateClient.connect(everyMessage.port(), DeflateServers.ECHO, TAKEOVER)) {
                client.agreed();
                byte[] compressed = client.deflate(message);
                int step = 4096;
                for (int at = 0; at < compressed.length; at += step) {
                    boolean first = at == 0;
                    boolean fin = at + step >= compressed.length;
                    client.sendFrame(fin, first ? DeflateClient.RSV1 : 0, first ? DeflateClient.BINARY : DeflateClient.CONTINUATION,
                            java.util.Arrays.copyOfRange(compressed, at, Math.min(compressed.length, at + step)));
                }
                DeflateClient.WireMessage echo = client.readMessage();
                assertTrue(echo.compressed());
                assertArrayEquals(message, echo.payload());
            }
        }

        @Test
        void G6_messagesBelowTheThresholdAndOptedOutOnesGoOutWithoutRsv1() throws IOException {
            try (DeflateClient client = DeflateClient.connect(defaultThreshold.port(), DeflateServers.ECHO, TAKEOVER)) {
                client.agreed();
                byte[] below = "x".repeat(63).getBytes(UTF_8);
                byte[] at = "x".repeat(64).getBytes(UTF_8);
                client.sendMessage(DeflateClient.TEXT, below, true);
                DeflateClient.WireMessage small = client.readMessage();
                assertFalse(small.compressed(), "63 bytes is below the default 64-byte threshold");
                assertArrayEquals(below, small.payload());
                client.sendMessage(DeflateClient.TEXT, at, true);
                DeflateClient.WireMessage big = client.readMessage();
                assertTrue(big.compressed(), "64 bytes reaches the threshold");
                assertArrayEquals(at, big.payload());
            }
            try (DeflateClient client = DeflateClient.connect(plainEcho.port(), PLAIN_ECHO, TAKEOVER)) {
                client.agreed();
                byte[] secret = ("token=s3cr3t&q=" + "guess".repeat(100)).getBytes(UTF_8);
                client.sendMessage(DeflateClient.TEXT, secret, true);
                DeflateClient.WireMessage echo = client.readMessage();
                assertFalse(echo.compressed(), "SendOption.UNCOMPRESSED was ignored");
                assertArrayEquals(secret, echo.payload());
            }
        }

        @Test
        void controlFramesAndTheCloseFrameFromACompressingServerCarryNoRsvBits() throws IOException {
            WebSocketServer pinging = DeflateServers.start(DeflateServers.EVERY_MESSAGE, DeflateServers.OPTIONS, "/p",
                    (socket, message) -> {
                        socket.ping(java.nio.ByteBuffer.wrap("are you there".getBytes(UTF_8)));
                        socket.send(message);
                        socket.close(4000, "done");
                    });
            try (DeflateClient client = DeflateClient.connect(pinging.port(), "/p", TAKEOVER)) {
                client.agreed();
                client.sendMessage(DeflateClient.TEXT, "Hello".getBytes(UTF_8), true);
                DeflateClient.WireFrame ping = client.readFrame();
                assertEquals(DeflateClient.PING, ping.opcode());
                assertEquals(0, ping.rsv(), "RFC 7692 6.1: no RSV1 on a control frame");
                DeflateClient.WireFrame data = client.readFrame();
                assertEquals(DeflateClient.RSV1, data.rsv());
                DeflateClient.WireFrame close = client.readFrame();
                assertEquals(4000, close.closeCode());
                assertEquals(0, close.rsv());
            } finally {
                pinging.close();
            }
        }
    }
}
