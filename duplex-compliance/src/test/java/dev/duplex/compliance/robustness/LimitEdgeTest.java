package dev.duplex.compliance.robustness;

import static dev.duplex.compliance.robustness.RawPeer.BINARY;
import static dev.duplex.compliance.robustness.RawPeer.CONTINUATION;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.HeadLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Every limit at its edge, through the real server: the limit itself passes, one more is
 * refused with the documented status or close code.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class LimitEdgeTest {

    /** Row A14 with the default {@link HeadLimits}: 8 KiB request line, 100 fields, 16 KiB head. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class HeadLimitsViaTheServer {
        private final HeadLimits limits = HeadLimits.DEFAULTS;
        private WebSocketServer server;

        @BeforeAll
        void start() {
            server = WebSocketServer.builder().host("127.0.0.1").port(0)
                    .route("/echo", RecordingHandler.echo()).build().start();
        }

        @AfterAll
        void stop() {
            server.stop(Duration.ofSeconds(5));
        }

        @Test
        void A14_requestLineAtTheLimitIsUpgraded() throws IOException {
            assertEquals(101, status(withRequestLineOf(limits.maxRequestLineBytes())));
        }

        @Test
        void A14_requestLineOneByteOverTheLimitGets414() throws IOException {
            assertEquals(414, status(withRequestLineOf(limits.maxRequestLineBytes() + 1)));
        }

        @Test
        void A14_headerCountAtTheLimitIsUpgraded() throws IOException {
            assertEquals(101, status(withHeaderCount(limits.maxHeaderCount())));
        }

        @Test
        void A14_oneHeaderOverTheCountGets431() throws IOException {
            assertEquals(431, status(withHeaderCount(limits.maxHeaderCount() + 1)));
        }

        @Test
        void A14_headAtTheLimitIsUpgraded() throws IOException {
            assertEquals(101, status(withHeadOf(limits.maxHeadBytes())));
        }

        @Test
        void A14_headOneByteOverTheLimitGets431() throws IOException {
            assertEquals(431, status(withHeadOf(limits.maxHeadBytes() + 1)));
        }

        /** An upgrade request whose request line (without CRLF) is {@code length} bytes. */
        private String withRequestLineOf(int length) {
            int targetLength = length - "GET ".length() - " HTTP/1.1".length();
            String target = "/echo?pad=" + "a".repeat(targetLength - "/echo?pad=".length());
            String head = RawPeer.upgradeRequest(server.port(), target);
            assertEquals(length, head.indexOf("\r\n"), "test setup: request line length");
            return head;
        }

        /** An upgrade request with exactly {@code count} header fields. */
        private String withHeaderCount(int count) {
            StringBuilder head = new StringBuilder(RawPeer.requestStart(server.port(), "/echo"));
            int present = baseFieldCount();
            for (int i = present; i < count; i++) {
                head.append("X-Pad-").append(i).append(": x\r\n");
            }
            head.append("\r\n");
            assertEquals(count, head.toString().split("\r\n").length - 1, "test setup: field count");
            return head.toString();
        }

        /** An upgrade request of exactly {@code total} bytes, blank line included. */
        private String withHeadOf(int total) {
            StringBuilder head = new StringBuilder(RawPeer.requestStart(server.port(), "/echo"));
            int field = 0;
            // Pad with fields well under the line limit until the blank line makes the total.
            while (total - head.length() - 2 > 0) {
                int left = total - head.length() - 2;
                String name = "X-Pad-" + field++ + ": ";
                int line = Math.min(left, 4000);
                if (left - line > 0 && left - line < name.length() + 4) {
                    line = left - (name.length() + 4); // leave room for one last small field
                }
                head.append(name).append("v".repeat(line - name.length() - 2)).append("\r\n");
            }
            head.append("\r\n");
            assertEquals(total, head.length(), "test setup: head length");
            return head.toString();
        }

        private int baseFieldCount() {
            return RawPeer.requestStart(server.port(), "/echo").split("\r\n").length - 1;
        }

        private int status(String request) throws IOException {
            try (RawPeer peer = RawPeer.open(server.port())) {
                peer.send(request.getBytes(ISO_8859_1));
                return peer.readStatus();
            }
        }
    }

    /** Rows D1, D2 and C12: the message size and fragment count limits of the server's options. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class MessageLimitsViaTheServer {
        private static final int MAX_MESSAGE = 1000;
        private static final int MAX_FRAGMENTS = 4;
        private WebSocketServer server;

        @BeforeAll
        void start() {
            server = WebSocketServer.builder().host("127.0.0.1").port(0)
                    .connectionOptions(ConnectionOptions.builder()
                            .maxMessageSize(MAX_MESSAGE).maxFragments(MAX_FRAGMENTS).build())
                    .route("/echo", RecordingHandler.echo()).build().start();
        }

        @AfterAll
        void stop() {
            server.stop(Duration.ofSeconds(5));
        }

        @Test
        void D1_messageAtTheSizeLimitIsEchoed() throws IOException {
            assertEchoed(MAX_MESSAGE);
        }

        @Test
        void D1_messageOneByteOverTheSizeLimitGets1009() throws IOException {
            assertFailedWith1009(MAX_MESSAGE + 1);
        }

        @Test
        void D1_fragmentsAddingUpToTheSizeLimitAreEchoed() throws IOException {
            assertEchoed(600, MAX_MESSAGE - 600);
        }

        @Test
        void D1_fragmentsAddingUpToOneByteOverTheSizeLimitGet1009() throws IOException {
            assertFailedWith1009(600, MAX_MESSAGE - 600 + 1);
        }

        @Test
        void C12_messageInAsManyFragmentsAsAllowedIsEchoed() throws IOException {
            assertEchoed(fragmentSizes(MAX_FRAGMENTS));
        }

        @Test
        void C12_messageInOneFragmentMoreThanAllowedGets1009() throws IOException {
            assertFailedWith1009(fragmentSizes(MAX_FRAGMENTS + 1));
        }

        /** {@code count} fragments of 10 bytes, the last one empty (empty fragments count too). */
        private static int[] fragmentSizes(int count) {
            int[] sizes = new int[count];
            Arrays.fill(sizes, 10);
            sizes[count - 1] = 0;
            return sizes;
        }

        private void assertEchoed(int... fragments) throws IOException {
            try (RawPeer peer = RawPeer.connect(server.port(), "/echo")) {
                byte[] message = sendFragmented(peer, fragments);
                RawPeer.Frame echo = peer.readFrame();
                assertEquals(BINARY, echo.opcode());
                assertArrayEquals(message, echo.payload());
                peer.sendClose(1000);
                assertEquals(1000, peer.readCloseCode());
            }
        }

        private void assertFailedWith1009(int... fragments) throws IOException {
            try (RawPeer peer = RawPeer.connect(server.port(), "/echo")) {
                sendFragmented(peer, fragments);
                assertEquals(1009, peer.readCloseCode(), "message too big");
                peer.awaitEndOfStream(RawPeer.READ_DEADLINE);
            }
        }

        /** Sends one binary message in fragments of these sizes; returns its bytes. */
        private static byte[] sendFragmented(RawPeer peer, int... fragments) throws IOException {
            byte[] message = new byte[Arrays.stream(fragments).sum()];
            for (int i = 0; i < message.length; i++) {
                message[i] = (byte) (i * 31 + 7);
            }
            int offset = 0;
            for (int i = 0; i < fragments.length; i++) {
                byte[] part = Arrays.copyOfRange(message, offset, offset + fragments[i]);
                peer.sendFrame(i == fragments.length - 1, i == 0 ? BINARY : CONTINUATION, part);
                offset += fragments[i];
            }
            return message;
        }
    }

    /**
     * Row H1 at its edges. A stalled 12 MiB message holds the writer (see {@link SlowReaderTest}),
     * so bufferedAmount is exact and stays put, and the limits are set just above it.
     */
    @Nested
    class OutboundLimits {
        private static final long STALLED = SlowReaderTest.STALLING_MESSAGE + 10; // 64-bit length header
        private static final long SOFT = STALLED + 100;
        private static final long HARD = 13 << 20;

        @Test
        void H1_queueUnderTheSoftLimitIsWritableAndAtItIsNot() throws Exception {
            withStalledConnection(socket -> {
                assertEquals(STALLED, socket.bufferedAmount());
                assertTrue(socket.isWritable(), "100 bytes under the soft limit");
                socket.sendBinary(new byte[98]); // 98 + a 2-byte header: exactly at the limit
                assertEquals(SOFT, socket.bufferedAmount());
                assertFalse(socket.isWritable(), "at the soft limit the queue is no longer under it");
            });
        }

        @Test
        void H1_sendThatFillsTheQueueExactlyToTheHardLimitIsAcceptedAndOneByteMoreIsRefused() throws Exception {
            withStalledConnection(socket -> {
                long room = HARD - socket.bufferedAmount();
                int payload = payloadFillingExactly(room);

                CompletableFuture<Void> exact = socket.sendBinary(new byte[payload]);
                assertFalse(exact.isDone(), "a send that fits waits behind the stalled message");
                assertEquals(HARD, socket.bufferedAmount(), "the queue is now exactly at the hard limit");

                // Row H10: one byte more is refused, and the connection is closed with 1013
                // rather than left to go on with a message missing.
                SlowReaderTest.assertOutboundLimitException(socket.sendBinary(new byte[0]));
                assertFalse(socket.isOpen(), "a refused send closes the connection");
                assertTrue(socket.bufferedAmount() > HARD, "only the close frame is queued past the limit");
                assertTrue(socket.bufferedAmount() <= HARD + 2 + 125, "only the close frame is queued past the limit");
            });
        }

        @Test
        void H1_aSendPastTheLimitIsRefusedEvenWhenASmallerOneWouldFit() throws Exception {
            withStalledConnection(socket -> {
                int payload = payloadFillingExactly(HARD - socket.bufferedAmount());
                SlowReaderTest.assertOutboundLimitException(socket.sendBinary(new byte[payload + 1]));
                assertFalse(socket.isOpen(), "a refused send closes the connection");
            });
        }

        /** The payload whose frame (server frames are unmasked) takes exactly {@code room} bytes. */
        private static int payloadFillingExactly(long room) {
            for (int header : new int[] {2, 4, 10}) {
                long payload = room - header;
                int needed = payload <= 125 ? 2 : payload <= 0xffff ? 4 : 10;
                if (needed == header) {
                    return (int) payload;
                }
            }
            throw new IllegalArgumentException("no frame is exactly " + room + " bytes");
        }

        private interface StalledCheck {
            void run(WebSocket socket) throws Exception;
        }

        private static void withStalledConnection(StalledCheck check) throws Exception {
            RecordingHandler events = RecordingHandler.silent();
            try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                    .connectionOptions(ConnectionOptions.builder()
                            .outboundSoftLimit(SOFT).outboundHardLimit(HARD)
                            .writeStallTimeout(Duration.ofSeconds(30)).build())
                    .route("/echo", events).build().start();
                 RawPeer peer = RawPeer.connect(server.port(), "/echo", SlowReaderTest.SMALL_RECEIVE_BUFFER)) {
                WebSocket socket = events.awaitOpen();
                CompletableFuture<Void> stalled = socket.sendBinary(new byte[SlowReaderTest.STALLING_MESSAGE]);
                check.run(socket);
                assertFalse(stalled.isDone(), "test setup: the 12 MiB message was written out after all");
            }
        }
    }
}
