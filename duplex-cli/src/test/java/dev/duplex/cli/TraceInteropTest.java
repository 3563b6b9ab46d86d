package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code duplex trace} between two independent implementations: Python {@code websockets}
 * (Debian's python3-websockets, as client) and Node {@code ws} (from duplex-compliance's
 * node_modules, as server), with permessage-deflate: context takeover from the client, none
 * from the server, so each direction is inflated by its own rules. What each end sent must be
 * what the other received (the relay changed nothing) and what the trace printed, inflated.
 * Skipped when either peer is missing ({@code scripts/install-peers.sh} installs both).
 */
class TraceInteropTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path NODE_MODULES = Path.of("").toAbsolutePath().getParent()
            .resolve("duplex-compliance/src/test/node/node_modules");
    private static final int TIMEOUT_SECONDS = 20;

    /** Echoes every message; prints its port, then at the close what it received and sent. */
    private static final String NODE_SERVER = """
            const { WebSocketServer } = require('ws');
            const wss = new WebSocketServer({ host: '127.0.0.1', port: 0,
              perMessageDeflate: { threshold: 0, serverNoContextTakeover: true } });
            const received = [], sent = [];
            const hex = (b) => Buffer.from(b).toString('hex');
            wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
            wss.on('connection', (ws) => {
              ws.on('message', (data, isBinary) => {
                received.push(hex(data));
                ws.send(data, { binary: isBinary });
                sent.push(hex(data));
              });
              ws.on('close', (code) => {
                console.log(JSON.stringify({ received, sent, code, extensions: ws.extensions }));
                wss.close();
              });
            });
            """;

    /** Sends, receives each echo, closes; prints what it sent and received. */
    private static final String PYTHON_CLIENT = """
            import asyncio, json, sys, websockets
            async def main(uri):
                messages = ["Hello", "Hello", "h\\u00e9llo \\u2713 " * 20, bytes(range(256)), ["frag", "mented ", "text"]]
                sent, received = [], []
                async with websockets.connect(uri, compression="deflate", max_size=None) as ws:
                    for m in messages:
                        await ws.send(m)
                        whole = "".join(m) if isinstance(m, list) else m
                        sent.append(whole.encode().hex() if isinstance(whole, str) else whole.hex())
                        r = await ws.recv()
                        received.append(r.encode().hex() if isinstance(r, str) else r.hex())
                    await ws.close(1000, "done")
                print(json.dumps({"sent": sent, "received": received, "version": websockets.__version__}))
            asyncio.run(main(sys.argv[1]))
            """;

    @Test
    void pythonClientAndNodeServerThroughTheTraceWithPerDirectionContextTakeover() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import websockets")) == 0,
                "Python websockets is missing (apt-get install python3-websockets); skipping");
        assumeTrue(Files.isRegularFile(NODE_MODULES.resolve("ws/package.json")),
                "Node ws is missing (scripts/install-peers.sh); skipping");

        ProcessBuilder nodeCommand = new ProcessBuilder("node", "-e", NODE_SERVER)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        nodeCommand.environment().put("NODE_PATH", NODE_MODULES.toString());
        Process node = nodeCommand.start();
        try {
            BufferedReader nodeOut = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            int port = ((Long) TraceJson.object(line(nodeOut)).get("port")).intValue();
            try (TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + port, "--json", "--max-payload", "65536")) {
                Process python = new ProcessBuilder(PYTHON.toString(), "-c", PYTHON_CLIENT,
                        "ws://127.0.0.1:" + trace.port() + "/").redirectError(ProcessBuilder.Redirect.INHERIT).start();
                BufferedReader pythonOut = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
                Map<String, Object> client = TraceJson.object(line(pythonOut));
                Map<String, Object> server = TraceJson.object(line(nodeOut));
                assertTrue(python.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "python exits");

                String peers = "python websockets " + client.get("version") + " -> node ws";
                assertEquals(client.get("sent"), server.get("received"), peers + ": the server got what the client sent");
                assertEquals(server.get("sent"), client.get("received"), peers + ": the client got what the server sent");
                assertEquals(1000L, server.get("code"));
                assertTrue(server.get("extensions").toString().contains("permessage-deflate"), server.toString());

                List<Map<String, Object>> lines = trace.awaitJson(l -> "close".equals(l.get("type")), "close event");
                Map<String, Object> response = lines.stream().filter(l -> "http".equals(l.get("type"))
                        && "server->client".equals(l.get("dir"))).findFirst().orElseThrow();
                assertTrue(response.get("notes").toString().contains("permessage-deflate agreed: client->server context"
                        + " takeover, window 15 bits; server->client no context takeover"), response.toString());

                assertEquals(client.get("sent"), messages(lines, "client->server"), peers + ": traced client messages");
                assertEquals(server.get("sent"), messages(lines, "server->client"), peers + ": traced server messages");
                for (Map<String, Object> line : lines) {
                    if (line.containsKey("violations")) {
                        assertEquals(List.of(), line.get("violations"), line.toString());
                    }
                }
                List<Map<String, Object>> secondHello = frames(lines, "client->server").stream()
                        .filter(f -> Boolean.TRUE.equals(f.get("compressed"))).skip(1).limit(1).toList();
                assertEquals("Hello", secondHello.get(0).get("inflated_text"));
                assertTrue((Long) secondHello.get(0).get("length") < 7L,
                        "the second Hello refers back into the first: " + secondHello);
                assertTrue(frames(lines, "client->server").stream().anyMatch(f -> Long.valueOf(3).equals(f.get("fragment"))),
                        "the fragmented message was traced frame by frame");
            }
        } finally {
            node.destroy();
            node.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Messages in one direction as the trace saw them: frames joined, compressed ones inflated. */
    static List<String> messages(List<Map<String, Object>> lines, String dir) {
        List<String> messages = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (Map<String, Object> f : frames(lines, dir)) {
            if (f.get("message") == null) {
                continue; // control frames
            }
            assertEquals(false, f.get("payload_cut"), "the display limit holds the whole frame");
            current.append(Boolean.TRUE.equals(f.get("compressed")) ? f.get("inflated_hex") : f.get("payload_hex"));
            if (Boolean.TRUE.equals(f.get("fin"))) {
                messages.add(current.toString());
                current.setLength(0);
            }
        }
        return messages;
    }

    static List<Map<String, Object>> frames(List<Map<String, Object>> lines, String dir) {
        return lines.stream().filter(l -> "frame".equals(l.get("type")) && dir.equals(l.get("dir"))).toList();
    }

    private static String line(BufferedReader reader) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String s = line.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the peer ended without output");
        }
        return s;
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
