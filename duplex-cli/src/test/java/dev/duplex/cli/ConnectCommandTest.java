package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code duplex connect}, run in this JVM with piped streams against Duplex's server: the script
 * mode a pipe gets, the interactive mode a terminal gets, and the exit status of each ending.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectCommandTest {
    private final CompletableFuture<String> authorization = new CompletableFuture<>();
    private WebSocketServer server;

    /** What one run printed and returned. */
    record Run(int status, String out, String err) {}

    @BeforeAll
    void start() {
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/echo", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket socket) {
                        socket.handshake().headers().first("Authorization").ifPresent(authorization::complete);
                    }

                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        socket.send(message);
                    }
                }, List.of("chat"))
                .route("/binary", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket socket) {
                        socket.sendBinary(new byte[] {(byte) 0xca, (byte) 0xfe, 0x01});
                    }

                    @Override
                    public void onMessage(WebSocket socket, Message message) {}
                })
                .route("/refuse", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket socket) {
                        socket.close(1008, "not you");
                    }

                    @Override
                    public void onMessage(WebSocket socket, Message message) {}
                })
                .build().start();
    }

    @AfterAll
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    private String url(String path) {
        return "ws://127.0.0.1:" + server.port() + path;
    }

    private static Run main(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run interactive(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ConnectCommand.run(Arguments.parse(args, ConnectCommand.OPTIONS),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), true);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- script mode

    @Test
    void scriptModeSendsEachLineAndPrintsEachReplyThenClosesWith1000() {
        Run run = main("hello\nsecond line\n", "connect", url("/echo"));
        assertEquals(0, run.status(), run.err());
        assertEquals("hello\nsecond line\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void scriptModeWithEmptyInputJustClosesCleanly() {
        Run run = main("", "connect", url("/echo"));
        assertEquals(0, run.status(), run.err());
        assertEquals("", run.out());
    }

    @Test
    void scriptModePrintsBinaryMessagesAsHex() {
        Run run = main("", "connect", url("/binary"));
        assertEquals(0, run.status(), run.err());
        assertEquals("cafe01\n", run.out());
    }

    @Test
    void headersAndSubprotocolsReachTheServer() throws Exception {
        Run run = interactive("", "--header", "Authorization: Bearer abc", "--subprotocol", "json",
                "--subprotocol", "chat", url("/echo"));
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("(subprotocol chat)"), run.out());
        assertEquals("Bearer abc", authorization.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFailedHandshakeExitsNonZeroWithTheStatusAndReason() {
        Run run = main("hello\n", "connect", url("/missing"));
        assertEquals(1, run.status());
        assertEquals("", run.out());
        assertTrue(run.err().contains("404 Not Found"), run.err());
    }

    @Test
    void aRefusedConnectionExitsNonZero() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run run = main("hello\n", "connect", "ws://127.0.0.1:" + port + "/");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("cannot connect"), run.err());
    }

    @Test
    void aServerCloseWithAnErrorCodeExitsNonZeroAndSaysWhy() {
        Run run = main("", "connect", url("/refuse"));
        assertEquals(1, run.status());
        assertTrue(run.err().contains("1008 not you"), run.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, main("", "connect").status());
        assertEquals(2, main("", "connect", url("/echo"), "--header", "no colon").status());
        assertEquals(2, main("", "connect", "http://127.0.0.1/").status());
        assertEquals(2, main("", "connect", url("/echo"), "--bogus").status());
    }

    // ---------------------------------------------------------------- interactive mode

    @Test
    void interactiveModeRunsSlashCommandsAndMarksWhatArrives() {
        Run run = interactive("/ping hi\n/binary 68 69\nhello\n//slash\n/nonsense\n/close 4000 bye now\n", url("/echo"));
        assertEquals(0, run.status(), "the user's own close, answered: " + run.err());
        String out = run.out();
        assertTrue(out.contains("< pong hi\n"), out);
        assertTrue(out.contains("< binary (2 bytes) 6869\n"), out);
        assertTrue(out.contains("< hello\n"), out);
        assertTrue(out.contains("< /slash\n"), "// sends a leading slash: " + out);
        assertTrue(out.contains("! unknown command /nonsense"), out);
        assertTrue(out.endsWith("closed: 4000\n"), "the server's answer echoes the code alone: " + out);
    }

    @Test
    void interactiveEndOfInputClosesWith1000AndSaysSo() {
        Run run = interactive("hello\n", url("/echo"));
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("< hello\n"), run.out());
        assertTrue(run.out().endsWith("closed: 1000\n"), run.out());
    }

    @Test
    void interactiveModeReportsABadCommandArgumentAndGoesOn() {
        Run run = interactive("/binary xyz\n/close\n", url("/echo"));
        assertTrue(run.out().contains("! "), run.out());
        assertTrue(run.out().endsWith("closed: 1000\n"), run.out());
    }

    @Test
    void insecureTurnsOffCertificateAndNameChecks() {
        ClientOptions options = ConnectCommand.options(Arguments.parse(new String[] {"--insecure", "wss://x/"},
                ConnectCommand.OPTIONS));
        assertTrue(options.insecureSkipHostnameVerification());
        assertNotNull(options.sslContext());
        ClientOptions strict = ConnectCommand.options(Arguments.parse(new String[] {"wss://x/"}, ConnectCommand.OPTIONS));
        assertTrue(!strict.insecureSkipHostnameVerification() && strict.sslContext() == null, "strict by default");
    }
}
