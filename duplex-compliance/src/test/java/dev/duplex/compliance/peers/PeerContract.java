package dev.duplex.compliance.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.ClientOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.TestAbortedException;

/**
 * What Duplex's client must do against any correct server: the cases of the client issue, run
 * against each peer by a subclass that starts it. The peer's name and version go to the test
 * output; a peer that is not installed skips its class with a message saying how to install it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PeerContract {
    static final int[] CLOSE_CODES = {1000, 1001, 1008, 4000};
    static final long TIMEOUT = 20;
    /** Peers echo up to 1 MiB; the client's own limit is raised above it for the echo of 1 MiB of text. */
    private static final ClientOptions OPTIONS = ClientOptions.builder()
            .connectionOptions(ConnectionOptions.builder().maxMessageSize(2 * 1024 * 1024).build()).build();

    private Peer peer;
    /** Why the peer could not start (not installed), for each test to report as its skip reason. */
    private String missing;

    /** Starts the peer; assumptions may skip the class when it is not installed. */
    abstract Peer startPeer() throws Exception;

    @BeforeAll
    void start() throws Exception {
        try {
            peer = startPeer();
            System.out.println("client interop against " + peer.name());
        } catch (TestAbortedException notInstalled) {
            missing = notInstalled.getMessage().replaceFirst("^Assumption failed: ", "");
        }
    }

    /** Skips each test, with the reason, rather than the class silently, when the peer is missing. */
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

    static IntStream sizes() {
        return IntStream.of(0, 125, 126, 65535, 65536, 1024 * 1024);
    }

    private WebSocket connect(String path, Recorder recorder) throws Exception {
        return WebSocketClient.create(OPTIONS).connect(peer.uri(path), recorder).get(TIMEOUT, TimeUnit.SECONDS);
    }

    /** UTF-8 text of exactly {@code bytes} bytes, mixing one- to four-byte characters. */
    static String text(int bytes, long seed) {
        Random random = new Random(seed);
        String[] pieces = {"a", "Z", " ", "é", "ß", "€", "語", "😀"};
        StringBuilder sb = new StringBuilder();
        int left = bytes;
        while (left > 0) {
            String piece = pieces[random.nextInt(pieces.length)];
            int size = piece.getBytes(StandardCharsets.UTF_8).length;
            if (size <= left) {
                sb.append(piece);
                left -= size;
            }
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void echoesText(int size) throws Exception {
        long seed = System.nanoTime();
        String text = text(size, seed);
        Recorder recorder = new Recorder();
        WebSocket socket = connect("/echo", recorder);
        socket.sendText(text);
        Message echo = recorder.nextMessage();
        assertEquals(new Message.Text(text), echo, "seed " + seed);
        socket.close().get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(1000, recorder.awaitClose().code());
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("sizes")
    void echoesBinary(int size) throws Exception {
        long seed = System.nanoTime();
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        Recorder recorder = new Recorder();
        WebSocket socket = connect("/echo", recorder);
        socket.sendBinary(data);
        Message echo = recorder.nextMessage();
        assertArrayEquals(data, ((Message.Binary) echo).data(), "seed " + seed);
        socket.close().get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(1000, recorder.awaitClose().code());
    }

    @Test
    void reassemblesMessagesTheServerFragments() throws Exception {
        assumeTrue(peer.fragments(), peer.name() + " sends whole messages only");
        long seed = System.nanoTime();
        String text = text(1000, seed);
        byte[] data = new byte[300_000];
        new Random(seed).nextBytes(data);
        Recorder recorder = new Recorder();
        WebSocket socket = connect("/fragment", recorder);
        socket.sendText(text);
        socket.sendBinary(data);
        assertEquals(new Message.Text(text), recorder.nextMessage(), "seed " + seed);
        assertArrayEquals(data, ((Message.Binary) recorder.nextMessage()).data(), "seed " + seed);
        socket.close();
        assertEquals(1000, recorder.awaitClose().code());
    }

    @Test
    void answersTheServersPingWithAPong() throws Exception {
        Recorder recorder = new Recorder();
        WebSocket socket = connect("/ping", recorder);
        assertEquals(new Message.Text("pong:" + Peer.PING_PAYLOAD), recorder.nextMessage(),
                "the server got a pong with its ping's payload");
        assertEquals(Peer.PING_PAYLOAD, new String(recorder.pings.poll(TIMEOUT, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        socket.close();
        assertEquals(1000, recorder.awaitClose().code());
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {1000, 1001, 1008, 4000})
    void reportsTheServersCloseCodeAndReason(int code) throws Exception {
        Recorder recorder = new Recorder();
        connect("/close/" + code, recorder);
        assertEquals(new Recorder.Close(code, "bye " + code), recorder.awaitClose());
        assertTrue(recorder.errors.isEmpty(), recorder.errors::toString);
    }

    @Test
    void reportsATcpDropAs1006() throws Exception {
        Recorder recorder = new Recorder();
        connect("/drop", recorder);
        assertEquals(1006, recorder.awaitClose().code());
    }

    /** The definition of done: {@code printf 'hello\n' | duplex connect URL} prints hello. */
    @Test
    void cliInScriptModePrintsTheEcho() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"connect", peer.uri("/echo").toString()},
                new ByteArrayInputStream("hello\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
    }
}
