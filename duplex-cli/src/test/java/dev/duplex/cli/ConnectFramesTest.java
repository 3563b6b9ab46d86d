package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code duplex connect --frames}, run in this JVM against Duplex's server with compression
 * on, as {@code duplex serve --compression} runs it: every frame both ways is printed with the
 * tracer's formatter, the client's masked with their key, compressed ones with RSV1 and their
 * inflated text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectFramesTest {
    /** Over the 64-byte compression threshold of both ends, so it goes compressed each way. */
    private static final String LONG = "the quick brown fox jumps over the lazy dog, again and again and again";
    private static final Pattern FRAME = Pattern.compile(
            "(client->server|server->client) (\\w+) \\(0x\\p{XDigit}\\) FIN=1 RSV1=([01]) RSV2=0 RSV3=0 MASK=([01])"
                    + "( key=\\p{XDigit}{8})? length=\\d+ \\(\\d+-bit\\)(?:, compressed)?\\n((?: {4}.*\\n)*)");
    private WebSocketServer server;

    @BeforeAll
    void start() {
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .compression(CompressionOptions.ENABLED)
                .route("/echo", new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        socket.send(message);
                    }
                })
                .build().start();
    }

    @AfterAll
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    /** One frame as printed: who sent it, the opcode's name, RSV1, MASK, and its indented lines. */
    record Printed(String direction, String opcode, boolean rsv1, boolean masked, boolean keyShown, String detail) {}

    private static List<Printed> frames(String out) {
        Matcher m = FRAME.matcher(out);
        return m.results().map(r -> new Printed(r.group(1), r.group(2), r.group(3).equals("1"),
                r.group(4).equals("1"), r.group(5) != null, r.group(6).strip())).toList();
    }

    @Test
    void framesPrintsTheHandshakeAndEveryFrameBothWays() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"connect", "--frames", "ws://127.0.0.1:" + server.port() + "/echo"},
                new ByteArrayInputStream((LONG + "\nhi\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));

        assertTrue(printed.startsWith("client->server HTTP request\n    GET /echo HTTP/1.1\n"), printed);
        assertTrue(printed.contains("    Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\n"), printed);
        assertTrue(printed.contains("server->client HTTP response\n    HTTP/1.1 101 Switching Protocols\n"), printed);
        assertTrue(printed.contains("\n" + LONG + "\n") && printed.contains("\nhi\n"),
                "the echoes, as connect prints them, among the frames: " + printed);

        List<Printed> frames = frames(printed);
        List<Printed> sent = frames.stream().filter(f -> f.direction().equals("client->server")).toList();
        List<Printed> received = frames.stream().filter(f -> f.direction().equals("server->client")).toList();
        for (Printed f : sent) {
            assertTrue(f.masked() && f.keyShown(), () -> "RFC 6455 5.3: every client frame is masked, key shown: " + f);
        }
        for (Printed f : received) {
            assertTrue(!f.masked() && !f.keyShown(), () -> "server frames are not masked: " + f);
        }

        // Sent: the long line compressed, "hi" (under the threshold) as it is, then the end-of-input
        // ping and the close; received: the same two echoes, the pong and the close.
        assertEquals(List.of("TEXT", "TEXT", "PING", "CLOSE"), sent.stream().map(Printed::opcode).toList(), printed);
        assertEquals(List.of("TEXT", "TEXT", "PONG", "CLOSE"), received.stream().map(Printed::opcode).toList(), printed);
        for (List<Printed> direction : List.of(sent, received)) {
            assertTrue(direction.get(0).rsv1(), () -> "RFC 7692 6: RSV1 on the compressed message: " + printed);
            assertTrue(direction.get(0).detail().contains("inflated (70 bytes): \"" + LONG + "\""),
                    () -> "the inflated text is shown: " + printed);
            assertTrue(!direction.get(1).rsv1() && direction.get(1).detail().equals("text: \"hi\""), printed);
            assertTrue(!direction.get(3).rsv1() && direction.get(3).detail().contains("1000"), printed);
        }
    }

    @Test
    void noCompressionOffersNothingAndSendsEveryFrameAsItIs() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"connect", "--frames", "--no-compression",
                        "ws://127.0.0.1:" + server.port() + "/echo"},
                new ByteArrayInputStream((LONG + "\n").getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        assertTrue(!printed.contains("Sec-WebSocket-Extensions"), printed);
        List<Printed> text = frames(printed).stream().filter(f -> f.opcode().equals("TEXT")).toList();
        assertEquals(2, text.size(), printed);
        for (Printed f : text) {
            assertTrue(!f.rsv1() && f.detail().equals("text: \"" + LONG + "\""), printed);
        }
    }
}
