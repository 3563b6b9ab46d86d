package dev.duplex.compliance.catalogue;

import static dev.duplex.compliance.catalogue.Frames.cat;
import static dev.duplex.compliance.catalogue.Frames.echoOf;
import static dev.duplex.compliance.catalogue.Frames.frame;
import static dev.duplex.compliance.catalogue.Frames.text;
import static dev.duplex.compliance.robustness.RawPeer.BINARY;
import static dev.duplex.compliance.robustness.RawPeer.CONTINUATION;
import static dev.duplex.compliance.robustness.RawPeer.PING;
import static dev.duplex.compliance.robustness.RawPeer.PONG;
import static dev.duplex.compliance.robustness.RawPeer.TEXT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.OutboundLimitException;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.Route;
import dev.duplex.ServerLimits;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.compliance.robustness.Await;
import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogue sections F (control frames and liveness) and H (backpressure and resources), on
 * servers with keepalive on (a ping every second, a second for the pong), a 16 KiB / 256 KiB
 * outbound queue, a 256 KiB budget for incomplete messages across connections, and a
 * rate-limited route {@code /limited} (100 messages/s, bursts of 200, 300 ms of grace).
 * {@code /flood} sends until the peer's window closes; {@code /slow} holds every message
 * until the test lets it go; {@code /patient} waits 10 s for a message to complete.
 */
@Isolated
class LivenessAndResourcesRowsTest {
    /**
     * Keepalive gives up on a silent peer after 2 s, later than the 1 s frame deadline and
     * write-stall timeout, so that rows F4 and H1 see their own deadline and not this one.
     */
    static final Duration PING_INTERVAL = Duration.ofSeconds(1);
    static final Duration PONG_TIMEOUT = Duration.ofSeconds(1);
    static final long SOFT_LIMIT = 16 * 1024;
    static final long HARD_LIMIT = 256 * 1024;
    static final long BUDGET = 256 * 1024;
    private static final RateLimits RATE = RateLimits.builder()
            .messages(Rate.perSecond(100).withBurst(200))
            .grace(Duration.ofMillis(300))
            .onExcess(RateLimits.Excess.PAUSE_THEN_CLOSE)
            .build();
    private static final Map<String, CompletableFuture<String>> FLOODS = new ConcurrentHashMap<>();
    private static final Map<String, CountDownLatch> HELD = new ConcurrentHashMap<>();

    @RegisterExtension
    static final CatalogueServers servers = new CatalogueServers(
            (b, echo) -> b.limits(ServerLimits.builder().incompleteMessageBudget(BUDGET).build())
                    .route("/limited", new Route(echo, List.of(), options().rateLimits(RATE).build()))
                    .route("/flood", new Route(new Flood(), List.of(), options().pingInterval(Duration.ZERO).build()))
                    .route("/slow", new Slow())
                    // Row H5 holds messages open on purpose: its deadline is not the one tested.
                    .route("/patient", new Route(echo, List.of(), options()
                            .messageTimeout(Duration.ofSeconds(10)).frameTimeout(Duration.ofSeconds(10)).build())),
            o -> options());

    private static ConnectionOptions.Builder options() {
        return CatalogueServers.defaultOptions()
                .pingInterval(PING_INTERVAL)
                .pongTimeout(PONG_TIMEOUT)
                .outboundSoftLimit(SOFT_LIMIT)
                .outboundHardLimit(HARD_LIMIT);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void F1_pingFloodGetsTheLatestPongAndCountsAgainstTheRate(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            byte[][] pings = new byte[1000][];
            for (int i = 0; i < pings.length; i++) {
                pings[i] = frame(true, 0, PING, ("ping " + i).getBytes(UTF_8));
            }
            s.send(peer, cat(cat(pings), text("after the flood")));
            int pongs = 0;
            String last = null;
            RawPeer.Frame frame;
            while ((frame = peer.readFrame()).opcode() != TEXT) {
                if (frame.opcode() == PONG) {
                    pongs++;
                    last = frame.text();
                }
            }
            assertEquals("after the flood", frame.text());
            assertEquals("ping 999", last, "the last pong answers the latest ping");
            assertTrue(pongs <= pings.length, "never more pongs than pings");
            s.note(pongs + " pongs for 1000 pings");

            RawPeer limited = s.upgrade("/limited");
            s.send(limited, cat(pings));
            int answered = 0;
            while ((frame = nextOtherThanPing(limited)).opcode() == PONG) {
                answered++;
            }
            assertEquals(1008, frame.closeCode(), "pings count against the message rate");
            s.note("rate-limited route: 1008 after " + answered + " pongs, closed after "
                    + s.expectEnd(limited, Duration.ZERO, Duration.ofSeconds(5)) + " ms");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void F2_unsolicitedPongIsIgnored(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.send(peer, cat(frame(true, 0, PONG, "heartbeat".getBytes(UTF_8)), text("still here")));
            s.expectFrame(peer, echoOf("still here"));
            s.send(peer, Frames.close(1000, new byte[0]));
            s.expectClose(peer, 1000);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void F3_peerThatNeverPongsGets1011(Transport transport, Delivery delivery) throws Exception {
        Duration silence = PING_INTERVAL.plus(PONG_TIMEOUT);
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.startClock();
            int pings = 0;
            RawPeer.Frame frame;
            while ((frame = peer.readFrame()).opcode() == PING) {
                pings++; // never answered
            }
            assertEquals(1011, frame.closeCode(), () -> "expected 1011 after the unanswered ping");
            long ms = s.expectEnd(peer, silence.minusMillis(100), silence.plusSeconds(3));
            assertTrue(pings >= 1, "a ping came first");
            s.note("1011 and closed after " + ms + " ms (" + pings + " ping)");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void F4_byteDripCannotDefeatTheFrameDeadline(Transport transport, Delivery delivery) throws Exception {
        Duration deadline = CatalogueServers.FRAME_TIMEOUT;
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            byte[] frame = frame(true, 0, TEXT, "d".repeat(100).getBytes(UTF_8));
            s.send(peer, Arrays.copyOf(frame, 6)); // the header: a 100-byte frame begins
            long start = System.nanoTime();
            Thread dripper = Thread.ofVirtual().start(() -> {
                // One byte every 100 ms, each well inside any idle timeout: only a deadline on
                // the frame as a whole can end it.
                for (int i = 6; i < frame.length; i++) {
                    if (!waitQuietly(100)) {
                        return;
                    }
                    try {
                        peer.send(new byte[] {frame[i]});
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            try {
                // A keepalive ping is not answered: a pong would land inside the dripped frame.
                RawPeer.Frame close = nextOtherThanPing(peer);
                assertEquals(1008, close.closeCode(), "the frame deadline");
                long ms = s.expectEnd(peer, start, deadline.minusMillis(100), deadline.plusSeconds(2));
                s.note("1008, closed after " + ms + " ms of a 1 byte / 100 ms drip");
            } finally {
                dripper.interrupt();
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void H1_slowReaderHitsTheSoftCapThenTheHardCapThenTheStallDeadline(Transport transport, Delivery delivery)
            throws Exception {
        // Over TLS the abort closes the TCP socket under the TLS one: a TLS close would wait for
        // the record lock that the writer, blocked on the full socket, holds (and with it the
        // server's timer thread).
        servers.row(transport, delivery, s -> {
            s.upgrade("/flood"); // never read
            String id = s.lastId();
            long start = System.nanoTime();
            // Row H10: the refused send closes with 1013; the peer reads nothing, so the close
            // frame waits behind the backlog and the stall (or close) deadline ends the socket.
            assertEquals(1013, s.servers().handler().awaitCloseCode(id), "closed for the refused send");
            long ms = (System.nanoTime() - start) / 1_000_000;
            // Its socket ends once the close frame is written (the kernel may take the whole
            // backlog), or at the latest when the stall or close deadline passes.
            long latest = CatalogueServers.WRITE_STALL_TIMEOUT.plus(CatalogueServers.CLOSE_TIMEOUT).toMillis() + 2000;
            assertTrue(ms <= latest, () -> "still open " + ms + " ms after the flood began");
            String outcome = FLOODS.computeIfAbsent(id, k -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
            assertTrue(outcome.startsWith("ok:"), outcome);
            s.note(outcome.substring(4) + "; closed (1013) and its socket ended " + ms + " ms after the flood began");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void H2_busyApplicationStopsTheReadingNotTheMemory(Transport transport, Delivery delivery) throws Exception {
        long total = 64L * 1024 * 1024;
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/slow");
            CountDownLatch hold = HELD.computeIfAbsent(s.lastId(), k -> new CountDownLatch(1));
            byte[] message = text("x".repeat(1024));
            AtomicLong written = new AtomicLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (written.get() < total) {
                        peer.send(message);
                        written.addAndGet(message.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the row
                }
            });
            try {
                long[] seen = {-1};
                long[] since = {System.nanoTime()};
                Await.until(Duration.ofSeconds(10), () -> {
                    long now = written.get();
                    if (now != seen[0]) {
                        seen[0] = now;
                        since[0] = System.nanoTime();
                    }
                    return System.nanoTime() - since[0] > Duration.ofMillis(500).toNanos();
                }, () -> "the writer never stopped: " + written.get() + " bytes taken");
                assertTrue(written.get() < total, "the server kept reading while its handler was busy");
                s.note("the server stopped reading after " + written.get() / 1024 + " KiB (socket buffers included)");
            } finally {
                hold.countDown();
                peer.close();
                writer.join(Duration.ofSeconds(5));
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void H3_messageFloodOverTheRateGets1008(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/limited");
            byte[][] flood = new byte[2000][];
            Arrays.fill(flood, text("flood"));
            s.send(peer, cat(flood));
            int echoes = 0;
            RawPeer.Frame frame;
            while ((frame = nextOtherThanPing(peer)).opcode() == TEXT) {
                echoes++;
            }
            assertEquals(1008, frame.closeCode(), "over the rate after the grace");
            long ms = s.expectEnd(peer, Duration.ZERO, Duration.ofSeconds(5));
            assertTrue(echoes < 2000, "not every message of the flood was served");
            s.note("1008 after " + echoes + " echoes, closed after " + ms + " ms");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void H5_halfFinishedMessagesShareOneBudget(Transport transport, Delivery delivery) throws Exception {
        int each = 60 * 1024;
        servers.row(transport, delivery, s -> {
            List<RawPeer> holders = new ArrayList<>();
            int fit = (int) (BUDGET / each); // 4 of 60 KiB fit in 256 KiB; the 5th does not
            for (int i = 0; i < fit; i++) {
                RawPeer peer = s.upgrade("/patient");
                s.send(peer, frame(false, 0, BINARY, new byte[each]));
                // The pong comes back only once the server has read the fragment before it,
                // so the budget holds these bytes before the next connection sends its own.
                byte[] marker = ("held " + i).getBytes(UTF_8);
                s.send(peer, frame(true, 0, PING, marker));
                s.expectFrame(peer, echoOf(PONG, marker));
                holders.add(peer);
            }
            RawPeer over = s.upgrade("/patient");
            s.send(over, frame(false, 0, BINARY, new byte[each]));
            s.expectClose(over, 1013);
            for (RawPeer peer : holders) {
                s.send(peer, frame(true, 0, CONTINUATION, new byte[0]));
                s.expectFrame(peer, echoOf(BINARY, new byte[each]));
            }
            s.note(fit + " messages of 60 KiB held at once; the next one got 1013");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void H6_buffersNeverCarryStaleBytes(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            byte[] big = new byte[1000];
            Arrays.fill(big, (byte) 'a');
            byte[] small = new byte[10];
            Arrays.fill(small, (byte) 'b');
            s.send(peer, cat(frame(true, 0, BINARY, big), frame(true, 0, BINARY, small), frame(true, 0, BINARY, new byte[0]),
                    text("c".repeat(200)), text("d")));
            s.expectFrame(peer, echoOf(BINARY, big));
            s.expectFrame(peer, echoOf(BINARY, small));
            s.expectFrame(peer, echoOf(BINARY, new byte[0]));
            s.expectFrame(peer, echoOf("c".repeat(200)));
            s.expectFrame(peer, echoOf("d"));
        });
    }

    /** The next frame that is not a keepalive ping (left unanswered). */
    private static RawPeer.Frame nextOtherThanPing(RawPeer peer) throws IOException {
        RawPeer.Frame frame;
        while ((frame = peer.readFrame()).opcode() == PING) {
            // skipped
        }
        return frame;
    }

    private static boolean waitQuietly(long millis) {
        try {
            return !new CountDownLatch(1).await(millis, TimeUnit.MILLISECONDS); // paces the drip
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Row H1: sends 32 KiB messages for as long as the connection lives. A send refused at
     * the hard cap waits for the oldest accepted one to be written, as an application that
     * respects backpressure would; once the peer's window is shut nothing is written any more,
     * and the write-stall deadline must end the connection. Reports what it saw.
     */
    static final class Flood implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket socket) {
            String id = CatalogueHandler.idOf(socket);
            CompletableFuture<String> outcome = FLOODS.computeIfAbsent(id, k -> new CompletableFuture<>());
            Thread.ofVirtual().start(() -> {
                long maxBuffered = 0;
                boolean sawBackpressure = false;
                int refusals = 0;
                byte[] chunk = new byte[32 * 1024];
                java.util.ArrayDeque<CompletableFuture<Void>> accepted = new java.util.ArrayDeque<>();
                try {
                    while (socket.isOpen()) {
                        CompletableFuture<Void> sent = socket.sendBinary(chunk);
                        maxBuffered = Math.max(maxBuffered, socket.bufferedAmount());
                        sawBackpressure |= !socket.isWritable();
                        if (!sent.isCompletedExceptionally()) {
                            accepted.add(sent);
                            continue;
                        }
                        Throwable why = sent.handle((v, e) -> e).join();
                        if (!(why instanceof OutboundLimitException || why.getCause() instanceof OutboundLimitException)) {
                            break; // the connection is gone
                        }
                        refusals++;
                        CompletableFuture<Void> oldest = accepted.poll();
                        if (oldest != null) {
                            oldest.handle((v, e) -> null).get(10, TimeUnit.SECONDS); // written, or failed by the abort
                        }
                    }
                    // Past the hard cap only the 1013 close frame (at most 127 bytes) is queued.
                    outcome.complete(refusals > 0 && sawBackpressure && maxBuffered <= HARD_LIMIT + 127
                            ? "ok: not writable past " + SOFT_LIMIT / 1024 + " KiB; " + refusals
                                    + " sends refused at the hard cap; at most " + maxBuffered / 1024 + " KiB queued (cap "
                                    + HARD_LIMIT / 1024 + " KiB)"
                            : "unexpected: backpressure " + sawBackpressure + ", refusals " + refusals
                                    + ", max queued " + maxBuffered);
                } catch (Exception e) {
                    outcome.complete("unexpected: " + e);
                }
            });
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {}

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            servers.handler().onClose(socket, code, reason);
        }
    }

    /** Row H2: holds each message until the test counts down the connection's latch. */
    static final class Slow implements WebSocketHandler {
        @Override
        public void onMessage(WebSocket socket, Message message) {
            CountDownLatch hold = HELD.computeIfAbsent(CatalogueHandler.idOf(socket), k -> new CountDownLatch(1));
            try {
                hold.await(10, TimeUnit.SECONDS); // a busy application, not a synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
