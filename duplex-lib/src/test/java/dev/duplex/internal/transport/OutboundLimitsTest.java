package dev.duplex.internal.transport;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.OutboundLimitException;
import dev.duplex.RateLimits;
import dev.duplex.ServerLimits;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.frame.FrameHeader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound bounds at their edges, over real sockets (rows H7, H8, H10): the connection's
 * hard limit bounds a backlog, not a message; a send past it fails and closes with 1013; the
 * server-wide budget evicts the connection holding the most; a peer that pings and never reads
 * holds one pong. Peers here never read until told to, so what the server queued stays queued:
 * a message far larger than any socket buffer is still in flight while the next send is judged.
 */
class OutboundLimitsTest {
    /** Larger than loopback's socket buffers can take, so its writer stays stuck on it. */
    private static final int STUCK = 16 << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private WebSocketServer server;
    /** What each connection's handler reports, by the id in its query. */
    private final Map<String, BlockingQueue<Object>> reports = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * A server whose handler, for a text message "N1 N2 ...", sends binary messages of those
     * payload sizes at once and reports each send's future; its onClose reports the code.
     */
    private int start(ConnectionOptions options, ServerLimits limits) {
        server = WebSocketServer.builder().host("127.0.0.1").port(0).connectionOptions(options).limits(limits)
                .route("/send", new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        BlockingQueue<Object> report = reports(socket);
                        for (String size : ((Message.Text) message).text().split(" ")) {
                            report.add(new Sent(socket.bufferedAmount(), socket.sendBinary(new byte[Integer.parseInt(size)])));
                        }
                    }

                    @Override
                    public void onClose(WebSocket socket, int code, String reason) {
                        reports(socket).add(code);
                    }
                }).build().start();
        return server.port();
    }

    private BlockingQueue<Object> reports(WebSocket socket) {
        String id = socket.handshake().request().queryParameter("id").orElseThrow();
        return reports.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
    }

    private BlockingQueue<Object> reports(String id) {
        return reports.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
    }

    /** A send the handler made: the backlog just before it, and its future. */
    record Sent(long queuedBefore, CompletableFuture<Void> future) {}

    private static ConnectionOptions.Builder options() {
        // No control-frame rate: the pong row sends its pings faster than the default allows.
        return ConnectionOptions.builder().maxMessageSize(64).pingInterval(Duration.ZERO).rateLimits(RateLimits.NONE)
                .writeStallTimeout(Duration.ofSeconds(60)).closeTimeout(Duration.ofSeconds(5));
    }

    private Sent nextSend(String id) throws InterruptedException {
        Object o = reports(id).poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(Sent.class, o, "expected a send report for " + id);
        return (Sent) o;
    }

    private int closeCode(String id) throws InterruptedException {
        Object o = reports(id).poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(Integer.class, o, "expected onClose for " + id + ", got " + o);
        return (Integer) o;
    }

    private static long frameSize(long payload) {
        return payload + FrameHeader.lengthOf(payload, false);
    }

    @Test
    void H10_anyMessageIsSentWhenNothingWaitsHoweverLargeAgainstTheLimit() throws Exception {
        int port = start(options().outboundSoftLimit(1024).outboundHardLimit(1024).build(), ServerLimits.DEFAULTS);
        try (RawClient client = RawClient.connect(port, "/send?id=a")) {
            client.sendText("1000000");
            Sent big = nextSend("a");
            assertEquals(0, big.queuedBefore());
            byte[] payload = client.readBinary();
            assertEquals(1_000_000, payload.length, "a message 1000 times the hard limit, sent whole");
            big.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void H10_theHardLimitBoundsTheBacklogAtItsEdge() throws Exception {
        long hard = 32L << 20;
        int port = start(options().outboundHardLimit(hard).build(), ServerLimits.DEFAULTS);
        try (RawClient client = RawClient.connect(port, "/send?id=edge")) {
            // The first fills the socket and stays in flight; the second takes the backlog to
            // the limit exactly, which is allowed.
            long first = frameSize(STUCK);
            long room = hard - first;
            long second = room - FrameHeader.lengthOf(room, false);
            while (frameSize(second) < room) {
                second++;
            }
            assertEquals(room, frameSize(second));
            client.sendText(STUCK + " " + second);
            Sent stuck = nextSend("edge");
            Sent atLimit = nextSend("edge");
            assertEquals(first, atLimit.queuedBefore(), "the first message is still queued");
            assertFalse(atLimit.future().isCompletedExceptionally(), "a backlog of exactly the limit is allowed");
            client.sendText("0"); // one byte more: a 2-byte frame past the limit
            Sent past = nextSend("edge");
            assertEquals(hard, past.queuedBefore());
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> past.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(OutboundLimitException.class, e.getCause());
            // Nothing lost in silence: once the peer reads, it finds both messages, then 1013.
            assertEquals(STUCK, client.readBinary().length);
            assertEquals(second, client.readBinary().length);
            assertEquals(1013, client.readCloseCode());
            stuck.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            atLimit.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            client.sendClose(1000);
            assertEquals(1013, closeCode("edge"));
        }
    }

    @Test
    void H8_pastTheServerBudgetTheConnectionHoldingTheMostIsClosedWith1013() throws Exception {
        long budget = 40L << 20;
        int port = start(options().outboundHardLimit(64L << 20).build(),
                ServerLimits.builder().outboundBudget(budget).build());
        try (RawClient a = RawClient.connect(port, "/send?id=a");
             RawClient b = RawClient.connect(port, "/send?id=b");
             RawClient c = RawClient.connect(port, "/send?id=c")) {
            a.sendText(Integer.toString(24 << 20));
            nextSend("a");
            // 24 + 16 MiB and their headers pass 40 MiB: a holds the most and is evicted; b goes on.
            b.sendText(Integer.toString(STUCK));
            Sent bSent = nextSend("b");
            assertFalse(bSent.future().isCompletedExceptionally());
            assertEquals(1013, closeCode("a"));
            assertTrue(a.endsWithin(DEADLINE), "the evicted connection's socket is closed");
            // c asks for more than b holds: now c would hold the most, so c's own send is refused.
            c.sendText(Integer.toString(30 << 20));
            Sent cSent = nextSend("c");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> cSent.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(OutboundLimitException.class, e.getCause());
            assertEquals(1013, c.readCloseCode(), "c is told why");
            c.sendClose(1000);
            assertEquals(1013, closeCode("c"));
            // b, the innocent one, gets its message whole.
            assertEquals(STUCK, b.readBinary().length);
            bSent.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void H7_aPeerThatPingsAndNeverReadsHoldsOnePong() throws Exception {
        long hard = 32L << 20;
        int port = start(options().outboundHardLimit(hard).build(), ServerLimits.DEFAULTS);
        try (RawClient client = RawClient.connect(port, "/send?id=pings")) {
            client.sendText(Integer.toString(STUCK)); // the writer is stuck on this from now on
            Sent stuck = nextSend("pings");
            byte[] payload = new byte[125];
            int pings = 20_000; // 2.5 MB of pongs if each were kept
            for (int i = 0; i < pings; i++) {
                payload[0] = (byte) i;
                payload[1] = (byte) (i >> 8);
                client.sendFrame(0x9, payload);
            }
            client.sendText("0"); // read after every ping, so every pong has been queued by then
            Sent probe = nextSend("pings");
            long onePong = frameSize(125);
            assertEquals(frameSize(STUCK) + onePong, probe.queuedBefore(),
                    "the stuck message and one pong, not " + pings + " pongs");
            // The pong that waits answers the latest ping (RFC 6455 5.5.3).
            assertEquals(STUCK, client.readBinary().length);
            RawClient.Frame pong = client.readFrame();
            assertEquals(0xA, pong.opcode());
            assertEquals((byte) (pings - 1), pong.payload()[0]);
            assertEquals((byte) ((pings - 1) >> 8), pong.payload()[1]);
            assertEquals(0, client.readBinary().length);
            stuck.future().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** A client that writes frames by hand and reads only when asked. */
    static final class RawClient implements AutoCloseable {
        record Frame(int opcode, byte[] payload) {}

        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private RawClient(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        static RawClient connect(int port, String target) throws IOException {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096); // before connect, so the window stays small
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) DEADLINE.toMillis());
            RawClient client = new RawClient(socket);
            client.out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(ISO_8859_1));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = client.in.read();
                if (b < 0) {
                    throw new EOFException("no 101: " + head);
                }
                head.append((char) b);
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
            return client;
        }

        void sendText(String text) throws IOException {
            sendFrame(0x1, text.getBytes(UTF_8));
        }

        void sendClose(int code) throws IOException {
            sendFrame(0x8, new byte[] {(byte) (code >> 8), (byte) code});
        }

        /** One masked frame with FIN set; the key is zero, which masks nothing. */
        void sendFrame(int opcode, byte[] payload) throws IOException {
            ByteBuffer frame = ByteBuffer.allocate(payload.length + 14);
            frame.put((byte) (0x80 | opcode));
            if (payload.length < 126) {
                frame.put((byte) (0x80 | payload.length));
            } else {
                frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
            }
            frame.putInt(0).put(payload);
            out.write(frame.array(), 0, frame.position());
        }

        Frame readFrame() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(b0 & 0x0F, payload);
        }

        byte[] readBinary() throws IOException {
            Frame f = readFrame();
            assertEquals(0x2, f.opcode(), "expected a binary message");
            return f.payload();
        }

        int readCloseCode() throws IOException {
            Frame f = readFrame();
            assertEquals(0x8, f.opcode(), "expected a close frame");
            return ((f.payload()[0] & 0xFF) << 8) | (f.payload()[1] & 0xFF);
        }

        /** Whether the server ends the connection (end of stream or reset) within the deadline. */
        boolean endsWithin(Duration deadline) throws IOException {
            socket.setSoTimeout((int) deadline.toMillis());
            byte[] sink = new byte[64 * 1024];
            InputStream raw = socket.getInputStream();
            try {
                while (raw.read(sink) >= 0) {
                    // what was in flight before the end
                }
                return true;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @SuppressWarnings("unused")
    private static List<Object> drain(BlockingQueue<Object> q) {
        List<Object> all = new ArrayList<>();
        q.drainTo(all);
        return all;
    }
}
