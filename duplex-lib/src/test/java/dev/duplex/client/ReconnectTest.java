package dev.duplex.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.Message;
import dev.duplex.ProxyOptions;
import dev.duplex.ReconnectPolicy;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.Headers;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reconnection (issue 16) against real Duplex servers on loopback: a server stopped and started
 * again on the same port, delays inside the policy's bounds (recorded by the listener, never
 * slept on), the callback once per reconnect, no reconnect after 1008 or an application close,
 * Retry-After honoured, and 100 clients that lost one server spreading their attempts.
 */
class ReconnectTest {
    private static final long TIMEOUT = 15;

    /** A server echoing on /echo; 1008 for the text "violate", and the close code asked for by "close NNNN". */
    private static WebSocketServer server(int port, HandshakeInterceptor interceptor) {
        WebSocketServer.Builder builder = WebSocketServer.builder().host("127.0.0.1").port(port)
                .route("/echo", new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        if (message instanceof Message.Text text && text.text().startsWith("close ")) {
                            socket.close(Integer.parseInt(text.text().substring(6)), "asked");
                        } else {
                            socket.send(message);
                        }
                    }
                });
        if (interceptor != null) {
            builder.handshakeInterceptor(interceptor);
        }
        return builder.build().start();
    }

    /** What a policy's listener reports, kept for assertions. */
    static final class Recorded implements ReconnectPolicy.Listener {
        final List<Duration> delays = new CopyOnWriteArrayList<>();
        final List<Integer> scheduled = new CopyOnWriteArrayList<>();
        final List<Long> startNanos = new CopyOnWriteArrayList<>();
        /** When each attempt was planned to start: the time it was scheduled plus its delay. */
        final List<Long> plannedNanos = new CopyOnWriteArrayList<>();
        final AtomicInteger reconnects = new AtomicInteger();
        final CompletableFuture<WebSocket> reconnected = new CompletableFuture<>();
        final CompletableFuture<String> gaveUp = new CompletableFuture<>();
        final CompletableFuture<Void> secondAttemptStarting = new CompletableFuture<>();
        final CompletableFuture<Void> firstAttemptStarting = new CompletableFuture<>();

        @Override
        public void attemptScheduled(int attempt, Duration delay, String cause) {
            plannedNanos.add(System.nanoTime() + delay.toNanos());
            scheduled.add(attempt);
            delays.add(delay);
        }

        @Override
        public void attemptStarting(int attempt) {
            startNanos.add(System.nanoTime());
            if (attempt == 1) {
                firstAttemptStarting.complete(null);
            }
            if (attempt == 2) {
                secondAttemptStarting.complete(null);
            }
        }

        @Override
        public void reconnected(WebSocket socket, int attempts) {
            reconnects.incrementAndGet();
            reconnected.complete(socket);
        }

        @Override
        public void gaveUp(String reason) {
            gaveUp.complete(reason);
        }
    }

    private static ClientOptions options(ReconnectPolicy policy) {
        return ClientOptions.builder().proxy(ProxyOptions.DIRECT).reconnect(policy).build();
    }

    private static URI echo(WebSocketServer server) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/echo");
    }

    @Test
    void aServerRestartedOnTheSamePortIsReconnectedWithDelaysInsideTheBoundsAndOneCallback() throws Exception {
        WebSocketServer first = server(0, null);
        int port = first.port();
        Recorded recorded = new Recorded();
        ReconnectPolicy policy = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(20))
                .maxDelay(Duration.ofMillis(160)).multiplier(2).forever().listener(recorded).build();
        AtomicInteger opens = new AtomicInteger();
        RecordingHandler recording = new RecordingHandler();
        WebSocketHandler handler = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket socket) {
                opens.incrementAndGet();
            }

            @Override
            public void onMessage(WebSocket socket, Message message) {
                recording.onMessage(socket, message);
            }

            @Override
            public void onClose(WebSocket socket, int code, String reason) {
                recording.onClose(socket, code, reason); // the first close only: a second would be an error
            }
        };
        WebSocket socket = WebSocketClient.create(options(policy)).connect(echo(first), handler)
                .get(TIMEOUT, TimeUnit.SECONDS);
        socket.sendText("before");
        assertEquals(new Message.Text("before"), recording.nextMessage());

        first.stop(Duration.ofSeconds(5)); // 1001 to the client
        assertEquals(1001, recording.awaitClose().code());
        // At least one attempt met a closed port before the server is back.
        recorded.secondAttemptStarting.get(TIMEOUT, TimeUnit.SECONDS);
        WebSocketServer second = server(port, null);
        try {
            WebSocket again = recorded.reconnected.get(TIMEOUT, TimeUnit.SECONDS);
            again.sendText("after");
            assertEquals(new Message.Text("after"), recording.nextMessage());
            assertEquals(1, recorded.reconnects.get(), "the callback ran once for one reconnect");
            assertEquals(2, opens.get(), "onOpen ran for the first connection and the reconnected one");
            for (int i = 0; i < recorded.delays.size(); i++) {
                int attempt = recorded.scheduled.get(i);
                Duration delay = recorded.delays.get(i);
                assertEquals(i + 1, attempt, "attempts are numbered from 1 in order");
                assertFalse(delay.isNegative());
                assertTrue(delay.compareTo(policy.ceiling(attempt)) <= 0,
                        "attempt " + attempt + " waited " + delay + ", over its ceiling " + policy.ceiling(attempt));
            }
            assertEquals(Duration.ofMillis(20), policy.ceiling(1));
            assertEquals(Duration.ofMillis(160), policy.ceiling(4));
            assertEquals(Duration.ofMillis(160), policy.ceiling(50), "the cap holds however many attempts");
            again.close().get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("closed by the application", recorded.gaveUp.get(TIMEOUT, TimeUnit.SECONDS));
        } finally {
            second.close();
        }
    }

    @ParameterizedTest(name = "close {0}")
    @ValueSource(ints = {1008, 1003, 4000, 4999})
    void noReconnectAfterACodeThatSaysNotToRetry(int code) throws Exception {
        try (WebSocketServer server = server(0, null)) {
            Recorded recorded = new Recorded();
            RecordingHandler handler = new RecordingHandler();
            ReconnectPolicy policy = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(10)).listener(recorded).build();
            WebSocket socket = WebSocketClient.create(options(policy)).connect(echo(server), handler)
                    .get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendText("close " + code);
            assertEquals(code, handler.awaitClose().code());
            assertTrue(recorded.gaveUp.get(TIMEOUT, TimeUnit.SECONDS).contains(String.valueOf(code)));
            assertEquals(List.of(), recorded.scheduled, "no attempt after " + code);
        }
    }

    @Test
    void theCodesAroundTheEdgesAreRetriedOrNot() {
        for (int code : new int[] {1000, 1001, 1002, 1006, 1007, 1009, 1011, 1012, 1013, 3000, 3999}) {
            assertTrue(ReconnectPolicy.isRetryable(code), "retry after " + code);
        }
        for (int code : new int[] {1003, 1008, 4000, 4001, 4998, 4999}) {
            assertFalse(ReconnectPolicy.isRetryable(code), "no retry after " + code);
        }
    }

    @Test
    void aServerCloseWith1000IsRetriedButTheApplicationsOwnCloseIsNot() throws Exception {
        try (WebSocketServer server = server(0, null)) {
            Recorded recorded = new Recorded();
            ReconnectPolicy policy = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(10))
                    .maxDelay(Duration.ofMillis(10)).listener(recorded).build();
            WebSocket socket = WebSocketClient.create(options(policy)).connect(echo(server), new RecordingHandler())
                    .get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendText("close 1000"); // the server closes normally: it may be back
            WebSocket again = recorded.reconnected.get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(List.of(1), recorded.scheduled);
            again.close().get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("closed by the application", recorded.gaveUp.get(TIMEOUT, TimeUnit.SECONDS));
            assertEquals(List.of(1), recorded.scheduled, "nothing scheduled after the application's close");
        }
    }

    @Test
    void retryAfterOnA503RefusalIsWaitedAtLeast() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        HandshakeInterceptor refuseTheSecond = request -> handshakes.incrementAndGet() == 2
                ? HandshakeInterceptor.Decision.reject(503, Headers.builder().add("Retry-After", "1").build())
                : HandshakeInterceptor.Decision.accept();
        try (WebSocketServer server = server(0, refuseTheSecond)) {
            Recorded recorded = new Recorded();
            ReconnectPolicy policy = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(10))
                    .maxDelay(Duration.ofMillis(20)).listener(recorded).build();
            WebSocket socket = WebSocketClient.create(options(policy)).connect(echo(server), new RecordingHandler())
                    .get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendText("close 1001");
            WebSocket again = recorded.reconnected.get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2), recorded.scheduled);
            assertTrue(recorded.delays.get(0).compareTo(Duration.ofMillis(10)) <= 0);
            assertEquals(Duration.ofSeconds(1), recorded.delays.get(1), "Retry-After: 1 outweighs a 20 ms cap");
            assertEquals(3, handshakes.get());
            again.close();
        }
    }

    @Test
    void aHundredClientsThatLostOneServerSpreadTheirAttempts() throws Exception {
        int clients = 100;
        Duration ceiling = Duration.ofMillis(600);
        WebSocketServer server = server(0, null);
        List<Recorded> all = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        CountDownLatch firstAttempts = new CountDownLatch(clients);
        try {
            for (int i = 0; i < clients; i++) {
                Recorded recorded = new Recorded();
                recorded.firstAttemptStarting.thenRun(firstAttempts::countDown);
                all.add(recorded);
                // One attempt per client: the spread of the first attempts is what is measured.
                ReconnectPolicy policy = ReconnectPolicy.builder().initialDelay(ceiling).maxDelay(ceiling)
                        .maxAttempts(1).listener(recorded).build();
                sockets.add(WebSocketClient.create(options(policy)).connect(echo(server), new RecordingHandler())
                        .get(TIMEOUT, TimeUnit.SECONDS));
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
        assertTrue(firstAttempts.await(TIMEOUT, TimeUnit.SECONDS), "every client made its attempt");
        List<Long> starts = all.stream().map(r -> r.startNanos.get(0)).sorted().toList();
        double spreadMillis = (starts.get(clients - 1) - starts.get(0)) / 1e6;
        double[] delays = all.stream().mapToDouble(r -> r.delays.get(0).toNanos() / 1e6).toArray();
        double mean = java.util.Arrays.stream(delays).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(delays).map(d -> (d - mean) * (d - mean)).sum() / clients);
        // In any 60 ms window (a tenth of the ceiling), at most a quarter of the clients, counted
        // on the planned start times: the observed ones also carry the scheduler's own delays,
        // which on a loaded machine bunch attempts that were planned apart.
        List<Long> planned = all.stream().map(r -> r.plannedNanos.get(0)).sorted().toList();
        int busiest = busiestWindow(planned, 60_000_000L);
        System.out.printf("100 clients: first attempts spread over %.0f ms; delays mean %.0f ms, sd %.0f ms "
                        + "(uniform on [0, 600]: 300 and 173); at most %d planned and %d observed attempts in any 60 ms%n",
                spreadMillis, mean, sd, busiest, busiestWindow(starts, 60_000_000L));
        assertTrue(spreadMillis > 0.6 * ceiling.toMillis(), "attempts spread over " + spreadMillis + " ms");
        assertTrue(sd > 100, "full jitter: the delays' standard deviation is " + sd + " ms");
        assertTrue(busiest <= clients / 4, busiest + " attempts planned within 60 ms");
        for (Recorded r : all) {
            assertTrue(r.delays.get(0).compareTo(ceiling) <= 0);
        }
    }

    /** The most of the sorted times that fall within any window of {@code widthNanos}. */
    private static int busiestWindow(List<Long> sorted, long widthNanos) {
        int busiest = 0;
        for (int i = 0, j = 0; i < sorted.size(); i++) {
            while (sorted.get(i) - sorted.get(j) > widthNanos) {
                j++;
            }
            busiest = Math.max(busiest, i - j + 1);
        }
        return busiest;
    }
}
