package dev.duplex.compliance.catalogue;

import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.TlsOptions;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.peers.TestPki;
import dev.duplex.compliance.robustness.Await;
import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The servers a catalogue class attacks, one plain ({@code ws}) and one with TLS ({@code wss}),
 * built alike: 127.0.0.1, port 0, short timeouts so that rows about deadlines finish in about
 * a second, the echo handler at {@code /echo}, compression offered. Each class may change the
 * builder and the connection options. Twenty {@link Canaries} live on each server for the
 * whole class.
 *
 * <p>{@link #row} runs one variant of one row: a canary round that overlaps the attack,
 * the attack, a second round, then the check that the duplex threads, the open sockets and
 * the heap after GC are back to where they were with the canaries open (with a deadline, and
 * for the heap a tolerance). It records the outcome in the {@link CatalogueReport}; disabled
 * and not-applicable tests are recorded through {@link TestWatcher}.
 */
final class CatalogueServers implements BeforeAllCallback, AfterAllCallback, TestWatcher {
    /** Row A16's deadline, shortened from 10 s. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    /** Row E7's close timeout, shortened from 10 s. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** Row H1's write-stall timeout, shortened from 30 s. */
    static final Duration WRITE_STALL_TIMEOUT = Duration.ofSeconds(1);
    /** Rows F4 and D3: frame and message completion deadlines, shortened from 30 s and 60 s. */
    static final Duration FRAME_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MESSAGE_TIMEOUT = Duration.ofMillis(1500);
    /** Row D1: a small limit makes the over-limit rows cheap. */
    static final long MAX_MESSAGE_SIZE = 64 * 1024;
    static final int MAX_FRAGMENTS = 64;

    private static final Duration SETTLE = Duration.ofSeconds(5);
    /**
     * Heap after GC may grow by TLS session caches and compiled code. After each variant the
     * heap is collected only when it is above the loose tolerance (a collection per variant
     * would cost more than the rows); at the end of the class, always, against the strict one.
     */
    private static final long HEAP_TOLERANCE = 96L * 1024 * 1024;
    private static final long STRICT_HEAP_TOLERANCE = 32L * 1024 * 1024;
    private static final AtomicInteger IDS = new AtomicInteger();
    private static TestPki pki;
    private static TestPki.Issued certificate;
    private static SSLContext trusting;

    private final Configure configure;
    private final UnaryOperator<ConnectionOptions.Builder> options;
    private final CatalogueHandler handler = new CatalogueHandler();
    private final Map<Transport, WebSocketServer> servers = new EnumMap<>(Transport.class);
    private final Map<Transport, Canaries> canaries = new EnumMap<>(Transport.class);
    private Resources baseline;

    /** Changes a server's builder; {@code handler} is the echo handler, for routes a class adds. */
    @FunctionalInterface
    interface Configure {
        WebSocketServer.Builder apply(WebSocketServer.Builder builder, CatalogueHandler handler) throws Exception;
    }

    CatalogueServers() {
        this((b, h) -> b, o -> o);
    }

    CatalogueServers(Configure configure, UnaryOperator<ConnectionOptions.Builder> options) {
        this.configure = configure;
        this.options = options;
    }

    /**
     * The connection options every catalogue server starts from: 64 KiB messages, 64
     * fragments, keepalive off, and every timeout shortened so deadline rows take a second.
     */
    static ConnectionOptions.Builder defaultOptions() {
        return ConnectionOptions.builder()
                .maxMessageSize(MAX_MESSAGE_SIZE)
                .maxFragments(MAX_FRAGMENTS)
                .pingInterval(Duration.ZERO)
                .closeTimeout(CLOSE_TIMEOUT)
                .writeStallTimeout(WRITE_STALL_TIMEOUT)
                .frameTimeout(FRAME_TIMEOUT)
                .messageTimeout(MESSAGE_TIMEOUT);
    }

    /** Every transport with every delivery: for rows that are byte streams. */
    static Stream<Arguments> variants() {
        return Stream.of(Transport.values())
                .flatMap(t -> Stream.of(Delivery.values()).map(d -> Arguments.of(t, d)));
    }

    /** Every transport, bytes sent whole: for rows about time or volume, where a drip is the attack. */
    static Stream<Arguments> transports() {
        return Stream.of(Transport.values()).map(t -> Arguments.of(t, Delivery.WHOLE));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ensurePki();
        for (Transport t : Transport.values()) {
            WebSocketServer.Builder b = WebSocketServer.builder().host("127.0.0.1").port(0)
                    .handshakeTimeout(HANDSHAKE_TIMEOUT)
                    .compression(CompressionOptions.ENABLED)
                    .connectionOptions(options.apply(defaultOptions()).build())
                    .route("/echo", handler)
                    .route("/chat", handler, List.of("chat", "superchat"))
                    .route("/secure", handler); // guarded by the interceptor a class sets (rows A10, J)
            if (t == Transport.WSS) {
                b.tls(TlsOptions.builder().sslContext(certificate.serverContext()).build());
            }
            servers.put(t, configure.apply(b, handler).build().start());
        }
        for (Transport t : Transport.values()) {
            canaries.put(t, Canaries.open(target -> upgrade(t, target)));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        canaries.values().forEach(Canaries::close);
        try {
            for (WebSocketServer server : servers.values()) {
                Await.until(SETTLE, () -> server.connectionCount() == 0,
                        () -> server.connectionCount() + " connections still open after the canaries left");
            }
            servers.values().forEach(s -> s.stop(Duration.ofMillis(500)));
            // The heap is checked loosely after each row and strictly here, once per class.
            Resources[] now = {null};
            Await.until(SETTLE, () -> baseline == null || (now[0] = Resources.take(true)).heapUsed() <= baseline.heapUsed() + STRICT_HEAP_TOLERANCE,
                    () -> "heap after GC not back to baseline (" + baseline.counts() + "): now " + now[0].counts());
        } finally {
            CatalogueReport.write();
        }
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        RowWatcher.record(context, "DISABLED", reason.orElse(""));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        RowWatcher.record(context, "N/A", cause.getMessage());
    }

    /** An attack on one server; the session opens connections and checks what comes back. */
    @FunctionalInterface
    interface Attack {
        void run(Session session) throws Exception;
    }

    /** Runs one variant of a row: canaries around the attack, then resources back to baseline. */
    void row(Transport transport, Delivery delivery, Attack attack) throws Exception {
        String test = currentTest();
        String row = test.substring(0, test.indexOf('_'));
        String variant = transport + ", " + delivery;
        Canaries birds = canaries.get(transport);
        if (baseline == null) {
            // Taken at the first row, once every server of the class and its canaries are up.
            baseline = Resources.take(true);
        }
        try (Session session = new Session(this, transport, delivery, row.toLowerCase() + "-" + IDS.incrementAndGet())) {
            Canaries.Round during = birds.start();
            try {
                attack.run(session);
            } finally {
                session.closeAll();
            }
            birds.await(during);
            birds.await(birds.start());
            checkResources();
            String problems = handler.problems();
            if (!problems.isEmpty()) {
                throw new AssertionError(problems);
            }
            CatalogueReport.add(new CatalogueReport.Entry(row, test, variant, "PASS", session.detail()));
        } catch (Exception | AssertionError e) {
            CatalogueReport.add(new CatalogueReport.Entry(row, test, variant, "FAIL", String.valueOf(e.getMessage())));
            throw e;
        }
    }

    int port(Transport t) {
        return servers.get(t).port();
    }

    WebSocketServer server(Transport t) {
        return servers.get(t);
    }

    CatalogueHandler handler() {
        return handler;
    }

    /** A connected socket, TLS handshake done for wss; nothing of HTTP sent. */
    RawPeer connect(Transport t) throws IOException {
        Socket socket = t == Transport.WS ? new Socket() : trusting.getSocketFactory().createSocket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port(t)), (int) RawPeer.READ_DEADLINE.toMillis());
            if (socket instanceof SSLSocket tls) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {TlsOptions.APPLICATION_PROTOCOL});
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.setSoTimeout((int) RawPeer.READ_DEADLINE.toMillis());
                tls.startHandshake();
            }
            return RawPeer.over(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A plain TCP connection to the server's port, even the TLS one: for bytes below TLS. */
    RawPeer connectTcp(Transport t) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port(t)), (int) RawPeer.READ_DEADLINE.toMillis());
        return RawPeer.over(socket);
    }

    /** A connection upgraded at {@code target} with a plain request. */
    RawPeer upgrade(Transport t, String target) throws IOException {
        RawPeer peer = connect(t);
        try {
            peer.send(RawPeer.upgradeRequest(port(t), target).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            peer.expectSwitchingProtocols();
            return peer;
        } catch (IOException | RuntimeException | AssertionError e) {
            peer.close();
            throw e;
        }
    }

    /** The context our raw clients use: it trusts the test CA only. */
    static SSLContext trustingContext() throws Exception {
        ensurePki();
        return trusting;
    }

    /** The certificate the wss servers start with, for 127.0.0.1 and localhost. */
    static TestPki.Issued certificate() throws Exception {
        ensurePki();
        return certificate;
    }

    /** Another certificate for the same names from the same CA, for row I's reload. */
    static TestPki.Issued newCertificate() throws Exception {
        ensurePki();
        return pki.issue(List.of("localhost"), List.of("127.0.0.1"));
    }

    private static synchronized void ensurePki() throws Exception {
        if (certificate == null) {
            pki = new TestPki();
            certificate = pki.issue(List.of("localhost"), List.of("127.0.0.1"));
            trusting = pki.trustingContext();
        }
    }

    private void checkResources() {
        Resources[] now = {null};
        Await.until(SETTLE, () -> (now[0] = Resources.take(false)).threadsAndSocketsWithin(baseline),
                () -> "threads and sockets not back to baseline (" + baseline.counts() + "): now " + now[0].counts());
        // A GC only when the heap looks high: what a collection cannot bring down is a leak.
        Await.until(SETTLE, () -> (now[0] = Resources.take(now[0].heapUsed() > baseline.heapUsed() + HEAP_TOLERANCE))
                        .heapUsed() <= baseline.heapUsed() + HEAP_TOLERANCE,
                () -> "heap after GC not back to baseline (" + baseline.counts() + "): now " + now[0].counts());
    }

    /** The name of the test method that called {@link #row}: the stack's first test class frame. */
    private static String currentTest() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().startsWith("dev.duplex.compliance.catalogue.") && f.getMethodName().contains("_"))
                .map(StackWalker.StackFrame::getMethodName)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("row() called outside a row test")));
    }
}
