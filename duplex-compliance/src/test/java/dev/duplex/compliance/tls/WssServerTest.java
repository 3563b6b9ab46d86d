package dev.duplex.compliance.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.Message;
import dev.duplex.TlsOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.peers.TestPki;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server over TLS (catalogue row I, with A16's trickled ClientHello and B6 seen from the
 * server's side): wss and https with a certificate from PEM files, TLS 1.2 and 1.3 only, ALPN
 * http/1.1, the TLS handshake inside the handshake deadline, a certificate reload that leaves
 * open connections alone, and clients that refuse a certificate for another host. Certificates
 * come from CAs made for this run ({@link TestPki}); clients trust only those.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WssServerTest {
    private static final long TIMEOUT = Received.TIMEOUT_SECONDS;
    /** Short, so the deadline tests are quick; long enough for a loopback TLS handshake under load. */
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(1500);

    @TempDir
    static Path dir;
    private TestPki pki;
    private SSLContext trustingTheCa;
    private TlsOptions forLocalhost;
    private WebSocketServer server;
    private WebSocketServer shortDeadline;
    private final AtomicInteger refused1015 = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        pki = new TestPki();
        trustingTheCa = pki.trustingContext();
        Path[] pem = pki.issue(List.of("localhost"), List.of("127.0.0.1")).writePem(dir, "localhost");
        forLocalhost = TlsOptions.fromPem(pem[0], pem[1]);
        server = echoServer(forLocalhost, WebSocketServer.Builder.DEFAULT_HANDSHAKE_TIMEOUT)
                .route("/close-1015", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket socket) {
                        try {
                            socket.close(1015, "TLS handshake");
                        } catch (IllegalArgumentException refused) {
                            refused1015.incrementAndGet();
                        }
                    }

                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        socket.send(message);
                    }
                })
                .resource("/hello.txt", "text/plain", "hello over TLS".getBytes(StandardCharsets.UTF_8))
                .build().start();
        shortDeadline = echoServer(forLocalhost, SHORT_DEADLINE).build().start();
    }

    @AfterAll
    void stop() {
        server.stop(Duration.ofSeconds(2));
        shortDeadline.stop(Duration.ofSeconds(2));
    }

    private static WebSocketServer.Builder echoServer(TlsOptions tls, Duration handshakeTimeout) {
        return WebSocketServer.builder().host("127.0.0.1").port(0).tls(tls).handshakeTimeout(handshakeTimeout)
                .route("/echo", (socket, message) -> socket.send(message));
    }

    private static URI wss(WebSocketServer server, String path) {
        return URI.create("wss://localhost:" + server.port() + path);
    }

    private static WebSocket connect(URI uri, SSLContext trust, Received received) throws Exception {
        return WebSocketClient.create(ClientOptions.builder().sslContext(trust).build()).connect(uri, received)
                .get(TIMEOUT, TimeUnit.SECONDS);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        return Stream.iterate(t, Objects::nonNull, Throwable::getCause).anyMatch(type::isInstance);
    }

    // ---------------------------------------------------------------- wss and https work

    @Test
    void I_theJdkWebSocketClientEchoesOverWss() throws Exception {
        Received received = new Received();
        HttpClient http = HttpClient.newBuilder().sslContext(trustingTheCa).build();
        java.net.http.WebSocket socket = http.newWebSocketBuilder().buildAsync(wss(server, "/echo"), received)
                .get(TIMEOUT, TimeUnit.SECONDS);
        received.assertEchoes(socket, "hello over wss");
        received.assertEchoes(socket, "é".repeat(40_000)); // several TLS records
        socket.sendClose(1000, "done").get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(1000, received.closeCode.get(TIMEOUT, TimeUnit.SECONDS));
    }

    @Test
    void I_duplexClientEchoesOverWss() throws Exception {
        Received received = new Received();
        WebSocket socket = connect(wss(server, "/echo"), trustingTheCa, received);
        received.assertEchoes(socket, "hello from Duplex");
        socket.close(1000, "").get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(1000, received.closeCode.get(TIMEOUT, TimeUnit.SECONDS));
    }

    @Test
    void I_resourcesAndRefusalsAreServedOverHttps() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(trustingTheCa).version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("https://localhost:" + server.port());
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/hello.txt")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertEquals("hello over TLS", page.body());
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(base.resolve("/nowhere")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
    }

    // ---------------------------------------------------------------- versions and ALPN

    @Test
    void I_tls13And12AreSpoken() throws Exception {
        for (String version : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket socket = TlsProbe.handshake(server.port(), trustingTheCa, "localhost", List.of(version), null)) {
                assertEquals(version, socket.getSession().getProtocol());
                assertEquals("HTTP/1.1 101 Switching Protocols", TlsProbe.upgrade(socket, "localhost", "/echo"));
            }
        }
    }

    @Test
    void I_tls11AndOlderAreRefusedWithProtocolVersion() throws Exception {
        // The JDK's client will not offer them any more, so the ClientHello is built by hand.
        for (int version : new int[] {0x0302, 0x0301}) {
            try (Socket socket = TlsProbe.connect(server.port())) {
                socket.getOutputStream().write(TlsProbe.clientHello(version));
                assertEquals(70, TlsProbe.readAlertThenEnd(socket), "RFC 8446 6.2: protocol_version for 0x0"
                        + Integer.toHexString(version));
            }
        }
    }

    @Test
    void I_alpnNegotiatesHttp11() throws Exception {
        try (SSLSocket socket = TlsProbe.handshake(server.port(), trustingTheCa, "localhost", null, List.of("h2", "http/1.1"))) {
            assertEquals("http/1.1", socket.getApplicationProtocol());
            assertEquals("HTTP/1.1 101 Switching Protocols", TlsProbe.upgrade(socket, "localhost", "/echo"));
        }
        try (SSLSocket socket = TlsProbe.handshake(server.port(), trustingTheCa, "localhost", null, null)) {
            assertEquals("", socket.getApplicationProtocol(), "a client that offers no ALPN is still served");
        }
    }

    @Test
    void I_aClientOfferingOnlyOtherAlpnProtocolsIsRefused() {
        // RFC 7301 3.2: no_application_protocol rather than a silent pick.
        SSLException e = assertThrows(SSLException.class,
                () -> TlsProbe.handshake(server.port(), trustingTheCa, "localhost", null, List.of("h2")).close());
        assertTrue(e.getMessage().contains("no_application_protocol"), e.getMessage());
    }

    // ---------------------------------------------------------------- the handshake deadline (A16)

    @Test
    void A16_aTrickledClientHelloIsClosedAtTheHandshakeDeadline() throws Exception {
        byte[] hello = TlsProbe.clientHello(0x0303);
        Duration interval = Duration.ofMillis(100);
        // The whole hello would take hello.length * 100 ms (about 7 s): far past the deadline.
        assertTrue(interval.multipliedBy(hello.length).compareTo(SHORT_DEADLINE.multipliedBy(3)) > 0);
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        long start = System.nanoTime();
        try (Socket socket = TlsProbe.connect(shortDeadline.port())) {
            pacer.scheduleAtFixedRate(() -> {
                int i = sent.get();
                if (i >= hello.length) {
                    return;
                }
                try {
                    socket.getOutputStream().write(hello[i]);
                    sent.incrementAndGet();
                } catch (IOException closed) {
                    throw new IllegalStateException(closed); // ends the schedule
                }
            }, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
            int answer = TlsProbe.readFully(socket.getInputStream(), new byte[1]);
            long elapsed = System.nanoTime() - start;
            int sentAtClose = sent.get();
            assertEquals(0, answer, "the server closes without answering a hello it never got whole");
            assertTrue(sentAtClose < hello.length, "closed while the hello was still arriving: " + sentAtClose
                    + " of " + hello.length + " bytes sent");
            assertTrue(elapsed >= SHORT_DEADLINE.toNanos(), "not before the deadline: " + elapsed / 1_000_000 + " ms");
        } finally {
            pacer.shutdownNow();
        }
    }

    @Test
    void A16_aClientHelloClaimingToBeHugeIsRefusedNotBuffered() throws Exception {
        // One full record whose handshake header claims 16 MiB: the JDK refuses anything over
        // jdk.tls.maxHandshakeMessageSize (32 KiB) as soon as it reads the header.
        byte[] fragment = TlsProbe.handshakeMessage(1, new byte[16_380], 0xFFFFFF);
        try (Socket socket = TlsProbe.connect(server.port())) { // the 10 s deadline: an alert must come first
            socket.getOutputStream().write(TlsProbe.record(TlsProbe.HANDSHAKE, fragment));
            int alert = TlsProbe.readAlertThenEnd(socket);
            assertTrue(alert > 0, "a fatal alert, not a wait for 16 MiB: " + alert);
        }
    }

    // ---------------------------------------------------------------- a certificate for another host (B6)

    @Test
    void B6_theJdkClientRefusesACertificateForAnotherHost() throws Exception {
        try (WebSocketServer other = echoServer(otherHost(), WebSocketServer.Builder.DEFAULT_HANDSHAKE_TIMEOUT).build().start()) {
            HttpClient http = HttpClient.newBuilder().sslContext(trustingTheCa).build();
            CompletableFuture<java.net.http.WebSocket> attempt =
                    http.newWebSocketBuilder().buildAsync(wss(other, "/echo"), new Received());
            ExecutionException e = assertThrows(ExecutionException.class, () -> attempt.get(TIMEOUT, TimeUnit.SECONDS));
            assertTrue(causedBy(e, SSLHandshakeException.class), "a TLS failure: " + e.getCause());
            assertTrue(causedBy(e, CertificateException.class), "for the name: " + e.getCause());
        }
    }

    @Test
    void B6_duplexClientRefusesACertificateForAnotherHost() throws Exception {
        try (WebSocketServer other = echoServer(otherHost(), WebSocketServer.Builder.DEFAULT_HANDSHAKE_TIMEOUT).build().start()) {
            CompletableFuture<WebSocket> attempt = WebSocketClient.create(ClientOptions.builder().sslContext(trustingTheCa).build())
                    .connect(wss(other, "/echo"), new Received());
            ExecutionException e = assertThrows(ExecutionException.class, () -> attempt.get(TIMEOUT, TimeUnit.SECONDS));
            assertInstanceOf(SSLHandshakeException.class, e.getCause());
            assertTrue(causedBy(e, CertificateException.class), "for the name: " + e.getCause());
        }
    }

    private TlsOptions otherHost() throws Exception {
        Path[] pem = pki.issue(List.of("other.example"), List.of()).writePem(dir, "other");
        return TlsOptions.fromPem(pem[0], pem[1]);
    }

    // ---------------------------------------------------------------- reload, 1015, stop

    @Test
    void I_aReloadServesTheNewCertificateToNewConnectionsWhileOpenOnesKeepEchoing() throws Exception {
        TestPki secondCa = new TestPki();
        SSLContext trustingOnlyTheSecond = secondCa.trustingContext();
        TestPki.Issued renewed = secondCa.issue(List.of("localhost"), List.of("127.0.0.1"));
        Path[] renewedPem = renewed.writePem(dir, "renewed");
        try (WebSocketServer reloading = echoServer(forLocalhost, WebSocketServer.Builder.DEFAULT_HANDSHAKE_TIMEOUT).build().start()) {
            Received before = new Received();
            WebSocket open = connect(wss(reloading, "/echo"), trustingTheCa, before);
            before.assertEchoes(open, "before the reload");
            // Trusting only the second CA fails while the first certificate is served.
            assertThrows(ExecutionException.class, () -> connect(wss(reloading, "/echo"), trustingOnlyTheSecond, new Received()));

            reloading.reloadTls(TlsOptions.fromPem(renewedPem[0], renewedPem[1]));

            before.assertEchoes(open, "after the reload, on the connection opened before it");
            Received after = new Received();
            WebSocket renewedConnection = connect(wss(reloading, "/echo"), trustingOnlyTheSecond, after);
            after.assertEchoes(renewedConnection, "on the renewed certificate");
            try (SSLSocket probe = TlsProbe.handshake(reloading.port(), trustingOnlyTheSecond, "localhost", null, null)) {
                assertEquals(renewed.certificate(), probe.getSession().getPeerCertificates()[0]);
            }
            assertThrows(ExecutionException.class, () -> connect(wss(reloading, "/echo"), trustingTheCa, new Received()),
                    "the old certificate is no longer presented");

            reloading.stop(Duration.ofSeconds(5));
            assertEquals(1001, before.closeCode.get(TIMEOUT, TimeUnit.SECONDS), "going away, over TLS");
            assertEquals(1001, after.closeCode.get(TIMEOUT, TimeUnit.SECONDS));
        }
    }

    @Test
    void I_closeCode1015IsNeverSentOnTheWire() throws Exception {
        Received received = new Received();
        WebSocket socket = connect(wss(server, "/close-1015"), trustingTheCa, received);
        // RFC 6455 7.4.1: 1015 reports a TLS failure locally; the server's close(1015) is refused.
        received.assertEchoes(socket, "still open");
        assertEquals(1, refused1015.get());
        assertThrows(IllegalArgumentException.class, () -> socket.close(1015, ""), "nor does our client send it");
        socket.close(1000, "").get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(1000, received.closeCode.get(TIMEOUT, TimeUnit.SECONDS));
    }

    @Test
    void I_theTlsFilesAreReadWhenTheOptionsAreBuilt() throws Exception {
        Path[] pem = pki.issue(List.of("localhost"), List.of()).writePem(dir, "mismatch");
        Path otherKey = pki.issue(List.of("localhost"), List.of()).writePem(dir, "other-key")[1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TlsOptions.fromPem(pem[0], otherKey));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
        assertEquals(2, forLocalhost.certificateChain().size(), "leaf and CA, in the file's order");
        Files.delete(pem[1]);
        assertThrows(java.io.UncheckedIOException.class, () -> TlsOptions.fromPem(pem[0], pem[1]));
    }
}
