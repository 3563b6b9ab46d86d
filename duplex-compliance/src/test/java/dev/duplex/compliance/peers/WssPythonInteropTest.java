package dev.duplex.compliance.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.ClientOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.TestAbortedException;

/**
 * wss against Python websockets with Python's own TLS (OpenSSL), its certificate from a CA made
 * for this run: the library with the CA trusted, and {@code duplex connect --insecure} without.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WssPythonInteropTest {
    private TestPki pki;
    private ExternalPeer peer;
    private String missing;

    @BeforeAll
    void start() throws Exception {
        pki = new TestPki();
        Path dir = Files.createTempDirectory("duplex-wss");
        Path[] pem = pki.issue(List.of("localhost"), List.of("127.0.0.1")).writePem(dir, "localhost");
        try {
            peer = ExternalPeer.python(pem[0], pem[1]);
            System.out.println("wss interop against " + peer.name());
        } catch (TestAbortedException notInstalled) {
            missing = notInstalled.getMessage().replaceFirst("^Assumption failed: ", "");
        }
    }

    @BeforeEach
    void requirePeer() {
        assumeTrue(peer != null, () -> missing);
    }

    @AfterAll
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void echoesOverWssWithTheCaTrusted() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = WebSocketClient.create(ClientOptions.builder().sslContext(pki.trustingContext()).build())
                .connect(peer.uri("/echo"), recorder).get(PeerContract.TIMEOUT, TimeUnit.SECONDS);
        socket.sendText("over TLS");
        assertEquals(new Message.Text("over TLS"), recorder.nextMessage());
        socket.close();
        assertEquals(1000, recorder.awaitClose().code());
    }

    private int cli(String input, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return Main.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void cliRefusesTheUntrustedCertificateWithoutInsecure() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, cli("hello\n", out, err, "connect", peer.uri("/echo").toString()));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("SSLHandshakeException"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cliWithInsecureConnectsAndEchoes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli("hello\n", out, err, "connect", "--insecure", peer.uri("/echo").toString()),
                err.toString(StandardCharsets.UTF_8));
        assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not checked"), "the user is warned");
    }
}
