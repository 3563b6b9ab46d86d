package dev.duplex.compliance.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.ClientOptions;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.HandshakeRequest;
import dev.duplex.Message;
import dev.duplex.ProxyOptions;
import dev.duplex.TlsOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.cli.Main;
import dev.duplex.compliance.peers.ExternalPeer;
import dev.duplex.compliance.peers.TestPki;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Mutual TLS (issue 16): a Duplex server that requires or requests client certificates from a
 * CA bundle, a Duplex client that presents one, the verified subject as the principal, and
 * interop both ways with Python websockets (Python's OpenSSL) presenting and requiring them.
 * The CA, server and client certificates are made for this run by {@link TestPki}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MutualTlsTest {
    private static final long TIMEOUT = 15;

    private Path dir;
    private Path caPem;
    private Path[] serverPem;
    private Path[] alicePem;
    private Path[] strangerPem;
    private final BlockingQueue<HandshakeRequest> seen = new LinkedBlockingQueue<>();
    private WebSocketServer required;
    private WebSocketServer optional;
    private WebSocketServer naming;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("duplex-mtls");
        TestPki pki = new TestPki();
        caPem = pki.writeCaPem(dir, "ca");
        serverPem = pki.issue(List.of("localhost"), List.of("127.0.0.1")).writePem(dir, "localhost");
        alicePem = pki.issueClient("alice").writePem(dir, "alice");
        strangerPem = new TestPki().issueClient("stranger").writePem(dir, "stranger"); // another CA
        HandshakeInterceptor recording = request -> {
            seen.add(request);
            return HandshakeInterceptor.Decision.accept();
        };
        required = server(TlsOptions.ClientAuth.REQUIRED, recording);
        optional = server(TlsOptions.ClientAuth.OPTIONAL, recording);
        naming = server(TlsOptions.ClientAuth.REQUIRED,
                request -> HandshakeInterceptor.Decision.accept(() -> "named-by-the-interceptor"));
    }

    @AfterAll
    void stop() {
        for (WebSocketServer s : new WebSocketServer[] {required, optional, naming}) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** /echo, and /whoami, which sends the connection's principal (or "none") and closes. */
    private WebSocketServer server(TlsOptions.ClientAuth mode, HandshakeInterceptor interceptor) {
        TlsOptions tls = TlsOptions.builder().pem(serverPem[0], serverPem[1]).clientAuth(mode, caPem).build();
        return WebSocketServer.builder().host("127.0.0.1").port(0).tls(tls).handshakeInterceptor(interceptor)
                .route("/echo", (socket, message) -> socket.send(message))
                .route("/whoami", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket socket) {
                        socket.sendText(socket.handshake().authenticatedPrincipal().map(Principal::getName).orElse("none"));
                        socket.close();
                    }

                    @Override
                    public void onMessage(WebSocket socket, Message message) {}
                })
                .build().start();
    }

    private static URI uri(WebSocketServer server, String path) {
        return URI.create("wss://localhost:" + server.port() + path);
    }

    private ClientOptions.Builder client(Path[] certificate) {
        ClientOptions.Builder b = ClientOptions.builder().proxy(ProxyOptions.DIRECT).trustedCertificates(caPem);
        if (certificate != null) {
            b.clientCertificate(certificate[0], certificate[1]);
        }
        return b;
    }

    /** The first message a connection gets. */
    private static String firstMessage(URI uri, ClientOptions options) throws Exception {
        BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        WebSocket socket = WebSocketClient.create(options).connect(uri, (ws, m) -> messages.add(m))
                .get(TIMEOUT, TimeUnit.SECONDS);
        try {
            Message m = messages.poll(TIMEOUT, TimeUnit.SECONDS);
            return m instanceof Message.Text text ? text.text() : String.valueOf(m);
        } finally {
            socket.abort();
        }
    }

    private static Throwable failure(URI uri, ClientOptions options) {
        CompletableFuture<WebSocket> f = WebSocketClient.create(options).connect(uri, (ws, m) -> { });
        return assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS)).getCause();
    }

    // ---------------------------------------------------------------- Duplex server, Duplex client

    @Test
    void aClientWithoutACertificateIsRefusedByAServerThatRequiresOne() {
        seen.clear();
        Throwable error = failure(uri(required, "/whoami"), client(null).build());
        assertInstanceOf(IOException.class, error);
        assertTrue(seen.isEmpty(), "the refusal came at the TLS handshake, before any HTTP");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        seen.clear();
        assertInstanceOf(IOException.class, failure(uri(required, "/whoami"), client(strangerPem).build()));
        assertTrue(seen.isEmpty());
    }

    @Test
    void theVerifiedSubjectIsThePrincipalAndTheChainIsInTheRequest() throws Exception {
        seen.clear();
        assertEquals("CN=alice", firstMessage(uri(required, "/whoami"), client(alicePem).build()));
        HandshakeRequest request = seen.poll(TIMEOUT, TimeUnit.SECONDS);
        assertEquals("CN=alice", request.peerCertificates().get(0).getSubjectX500Principal().getName());
        assertEquals("CN=alice", request.peerPrincipal().orElseThrow().getName());
    }

    @Test
    void aPrincipalTheInterceptorNamesWins() throws Exception {
        assertEquals("named-by-the-interceptor", firstMessage(uri(naming, "/whoami"), client(alicePem).build()));
    }

    @Test
    void optionalAdmitsAClientWithoutACertificateWithNoPrincipal() throws Exception {
        seen.clear();
        assertEquals("none", firstMessage(uri(optional, "/whoami"), client(null).build()));
        assertEquals(List.of(), seen.poll(TIMEOUT, TimeUnit.SECONDS).peerCertificates());
        assertEquals("CN=alice", firstMessage(uri(optional, "/whoami"), client(alicePem).build()));
    }

    @Test
    void aClientCertificateAndAnSslContextDoNotGoTogether() throws Exception {
        ClientOptions.Builder both = client(alicePem).sslContext(javax.net.ssl.SSLContext.getDefault());
        assertThrows(IllegalArgumentException.class, both::build);
    }

    @Test
    void cliConnectPresentsItsCertificate() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new String[] {"connect", "--tls-cert", alicePem[0].toString(), "--tls-key",
                        alicePem[1].toString(), "--tls-ca", caPem.toString(), uri(required, "/whoami").toString()},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertEquals("CN=alice\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cliServeRequiresClientCertificatesFromTheCaBundle() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--host", "127.0.0.1",
                "--port", "0", "--tls-cert", serverPem[0].toString(), "--tls-key", serverPem[1].toString(),
                "--tls-client-ca", caPem.toString()));
        Process serve = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            java.util.regex.Pattern listening = java.util.regex.Pattern.compile("listening on https://127\\.0\\.0\\.1:(\\d+)/");
            int port = -1;
            for (String line; port < 0 && (line = lines.readLine()) != null; ) {
                java.util.regex.Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "duplex serve printed its https URL");
            Thread.ofVirtual().start(() -> {
                try {
                    lines.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            URI echo = URI.create("wss://localhost:" + port + "/echo");
            BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
            WebSocket socket = WebSocketClient.create(client(alicePem).build()).connect(echo, (ws, m) -> messages.add(m))
                    .get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendText("certified");
            assertEquals(new Message.Text("certified"), messages.poll(TIMEOUT, TimeUnit.SECONDS));
            socket.close();
            assertInstanceOf(IOException.class, failure(echo, client(null).build()));
        } finally {
            serve.destroy();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void cliServeClientAuthOptionsThatDoNotFitAreUsageErrors() {
        String[][] wrong = {
            {"serve", "--tls-client-ca", caPem.toString()},                                  // no TLS at all
            {"serve", "--tls-cert", serverPem[0].toString(), "--tls-key", serverPem[1].toString(),
                "--tls-client-auth", "optional"},                                             // no CA bundle
            {"serve", "--tls-cert", serverPem[0].toString(), "--tls-key", serverPem[1].toString(),
                "--tls-client-ca", caPem.toString(), "--tls-client-auth", "sometimes"},
        };
        for (String[] args : wrong) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, exit, String.join(" ", args) + ": " + err);
        }
    }

    // ---------------------------------------------------------------- interop with Python websockets

    @Test
    void duplexClientPresentsItsCertificateToPythonWebsockets() throws Exception {
        try (ExternalPeer python = ExternalPeer.pythonMutualTls(serverPem[0], serverPem[1], caPem)) {
            System.out.println("mTLS interop against " + python.name());
            assertEquals("alice", firstMessage(python.uri("/whoami"), client(alicePem).build()));
            BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
            WebSocket socket = WebSocketClient.create(client(alicePem).build())
                    .connect(python.uri("/echo"), (ws, m) -> messages.add(m)).get(TIMEOUT, TimeUnit.SECONDS);
            socket.sendText("mutual");
            assertEquals(new Message.Text("mutual"), messages.poll(TIMEOUT, TimeUnit.SECONDS));
            socket.close();
            assertInstanceOf(IOException.class, failure(python.uri("/echo"), client(null).build()));
        }
    }

    @Test
    void pythonWebsocketsPresentsItsCertificateToDuplex() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && run(List.of(python.toString(), "-c", "import websockets")).startsWith("0"),
                "Python websockets is not installed for /usr/bin/python3 (Debian python3-websockets); "
                        + "run scripts/install-peers.sh");
        String script = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .resolve("src/test/resources/tls/websockets_mtls_client.py").toString();
        String with = run(List.of(python.toString(), script, uri(required, "/echo").toString(), caPem.toString(),
                alicePem[0].toString(), alicePem[1].toString(), "from python"));
        assertTrue(with.startsWith("0\nECHO from python\nVERSION "), with);
        String without = run(List.of(python.toString(), script, uri(required, "/echo").toString(), caPem.toString(),
                "-", "-", "from python"));
        assertTrue(without.startsWith("1\nFAILED "), without);
    }

    /** Runs a command; returns its exit status and output, one line each. */
    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }, r -> Thread.ofVirtual().start(r));
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish: " + command);
        }
        return process.exitValue() + "\n" + output.get(5, TimeUnit.SECONDS);
    }
}
