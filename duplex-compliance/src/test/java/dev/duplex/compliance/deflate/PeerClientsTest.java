package dev.duplex.compliance.deflate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Independent permessage-deflate clients against the compressing Duplex server: Python
 * {@code websockets} (Debian's python3-websockets in /usr/bin/python3; 10.4 when written) and
 * Node {@code ws} (8.18.3, from duplex-compliance/src/test/node). Each client sends text and
 * binary messages from 0 bytes to 1 MiB, twice each, with and without context takeover and with
 * small windows, and checks every echo itself; it connects through a {@link WireTap}, so the
 * test also sees RSV1 on the frames in both directions. The server runs the library's defaults
 * (threshold 64 bytes), as {@code duplex serve --compression} does.
 *
 * <p>A peer that is not installed skips its cases; {@code scripts/install-peers.sh} installs both.
 */
class PeerClientsTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final long PEER_TIMEOUT_SECONDS = 60;

    private static WebSocketServer server;

    @BeforeAll
    static void start() {
        server = DeflateServers.echo(CompressionOptions.ENABLED);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "Python websockets, {0}")
    @CsvSource(delimiter = '|', value = {
        "takeover    | permessage-deflate",
        "no_takeover | permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "window9     | permessage-deflate; server_max_window_bits=9",
        // zlib on the client inflates with a 256-byte window: any longer reach fails its stream.
        "window8     | permessage-deflate; server_max_window_bits=8",
    })
    void pythonWebsocketsExchangesCompressedMessages(String mode, String agreed) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import websockets")).exit == 0,
                "Python websockets is not installed for /usr/bin/python3 (apt-get install python3-websockets, "
                        + "or scripts/install-peers.sh)");
        Path script = moduleDir().resolve("src/test/resources/deflate/websockets_deflate_client.py");
        exchange(List.of(PYTHON.toString(), script.toString()), mode, agreed);
    }

    @ParameterizedTest(name = "Node ws, {0}")
    @CsvSource(delimiter = '|', value = {
        "takeover    | permessage-deflate",
        "no_takeover | permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        "window9     | permessage-deflate; server_max_window_bits=9",
    })
    void nodeWsExchangesCompressedMessages(String mode, String agreed) throws Exception {
        Path dir = moduleDir().resolve("src/test/node");
        assumeTrue(Files.exists(dir.resolve("node_modules/ws/package.json")) && run(List.of("node", "--version")).exit == 0,
                "Node ws is not installed in duplex-compliance/src/test/node (scripts/install-peers.sh)");
        exchange(List.of("node", dir.resolve("ws-deflate-client.js").toString()), mode, agreed);
    }

    private static void exchange(List<String> peer, String mode, String agreed) throws Exception {
        try (WireTap tap = new WireTap(server.port())) {
            List<String> command = new ArrayList<>(peer);
            command.add("ws://127.0.0.1:" + tap.port() + DeflateServers.ECHO);
            command.add(mode);
            Result result = run(command);
            System.out.println(mode + ": " + result.output.strip());
            assertEquals(0, result.exit, () -> "the peer failed: " + result.output);
            assertTrue(result.output.startsWith("OK "), result.output);
            assertTrue(result.output.contains("extensions=" + agreed + " messages="),
                    () -> "expected the peer to report " + agreed + ": " + result.output);
            assertEquals(1, tap.switchingResponses().size());
            assertTrue(tap.switchingResponses().get(0).contains("Sec-WebSocket-Extensions: " + agreed + "\r\n"),
                    () -> "the 101 on the wire: " + tap.switchingResponses());
            assertWireShowsCompression(tap.frames());
        }
    }

    /**
     * RSV1 on compressed messages both ways, and only where RFC 7692 6.1 allows it: never on
     * a control frame or a continuation. The server compresses every message of 64 bytes or more.
     */
    static void assertWireShowsCompression(List<WireTap.SeenFrame> frames) {
        long fromClient = frames.stream().filter(f -> f.fromClient() && f.compressed()).count();
        long fromServer = frames.stream().filter(f -> !f.fromClient() && f.compressed()).count();
        assertTrue(fromClient > 0, () -> "no compressed frame from the peer: " + frames);
        assertTrue(fromServer > 0, () -> "no compressed frame from Duplex: " + frames);
        for (WireTap.SeenFrame f : frames) {
            if (f.opcode() >= 0x8 || f.opcode() == 0x0) {
                assertEquals(0, f.rsv(), () -> "RSV bits on a control or continuation frame: " + f);
            }
            if (!f.fromClient() && (f.opcode() == 0x1 || f.opcode() == 0x2) && f.length() >= 64) {
                // Duplex sends a message in one frame, so this one was at the threshold or over.
                assertTrue(f.compressed(), () -> "a message of 64 bytes or more from Duplex without RSV1: " + f);
            }
        }
    }

    record Result(int exit, String output) {}

    /** Runs a command to completion (bounded), its stderr folded into its output. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = process.getInputStream()) {
                return in.readAllBytes(); // ends when the process exits (or is killed)
            } catch (IOException e) {
                return e.toString().getBytes(StandardCharsets.UTF_8);
            }
        }, r -> Thread.ofVirtual().start(r));
        try {
            boolean exited = process.waitFor(PEER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            String text = new String(output.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            return exited ? new Result(process.exitValue(), text) : new Result(-1, "timed out: " + text);
        } catch (ExecutionException | TimeoutException e) {
            return new Result(-1, "no output: " + e);
        } finally {
            process.destroyForcibly();
        }
    }

    /** The module's directory, where the peer scripts live. */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }
}
