package dev.duplex.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The generator end to end against an in-process Duplex server on 127.0.0.1: a short
 * counted run must see every echo and no error, and a server that alters messages must be
 * caught. About a second in all.
 */
class LoadGeneratorSmokeTest {
    private WebSocketServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private int start(WebSocketHandler handler) {
        server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .connectionOptions(ConnectionOptions.builder().maxMessageSize(1 << 20).closeTimeout(Duration.ofSeconds(2)).build())
                .route("/echo", handler)
                .build()
                .start();
        return server.port();
    }

    private static LoadGenerator.Result run(int port, String... extra) throws Exception {
        String[] base = {"--port", Integer.toString(port), "--connections", "2", "--in-flight", "4",
                "--messages", "50", "--timeout", "10"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return new LoadGenerator(LoadOptions.parse(args)).run();
    }

    @Test
    void twoConnectionsOfFiftyMessagesAreAllEchoedAndChecked() throws Exception {
        int port = start((socket, message) -> socket.send(message));
        LoadGenerator.Result text = run(port, "--type", "text", "--size", "32");
        assertEquals(0, text.errors(), text.toTable());
        assertEquals(2, text.opened());
        assertEquals(100, text.messages(), text.toTable());
        assertTrue(text.toJson().contains("\"messages\":100"), text.toJson());

        LoadGenerator.Result binary = run(port, "--type", "binary", "--size", "70000");
        assertEquals(0, binary.errors(), binary.toTable());
        assertEquals(100, binary.messages(), binary.toTable());
    }

    @Test
    void aServerThatAltersMessagesIsCaught() throws Exception {
        int port = start(new WebSocketHandler() {
            @Override
            public void onMessage(WebSocket socket, Message message) {
                if (message instanceof Message.Text t) {
                    socket.sendText(new StringBuilder(t.text()).reverse().toString());
                }
            }
        });
        LoadGenerator.Result result = run(port, "--type", "text", "--size", "32", "--timeout", "2");
        assertTrue(result.errorKinds().getOrDefault("mismatch", 0L) >= 1, result.toTable());
        assertEquals(0, result.messages(), result.toTable());
    }
}
