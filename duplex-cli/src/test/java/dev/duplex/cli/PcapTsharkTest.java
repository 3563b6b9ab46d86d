package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --pcap} file read back by Wireshark's command-line reader: every WebSocket frame
 * it finds has the opcode, length and unmasked payload that the trace printed, and every IP and
 * TCP checksum is good. Needs tshark (Debian: {@code apt-get install tshark}); skipped without it.
 */
class PcapTsharkTest {
    private static final Path TSHARK = Path.of("/usr/bin/tshark");
    private static final int TIMEOUT_MILLIS = 5_000;

    @Test
    void tsharkListsTheSameFramesAsTheTraceWithGoodChecksums(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(TSHARK), "tshark is not installed (apt-get install tshark); skipping the pcap read-back");
        Path capture = dir.resolve("trace.pcap");
        WebSocketServer server = TraceEchoClient.echoServer();
        List<Map<String, Object>> traced;
        try (TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + server.port() + "/echo", "--json",
                "--max-payload", "100000", "--pcap", capture.toString())) {
            TraceEchoClient client = TraceEchoClient.connect(trace.port());
            WebSocket socket = client.socket;
            byte[] large = new byte[70_000]; // 64-bit length, several TCP segments
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) (i * 7);
            }
            socket.sendText("Hello").get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendBinary(new byte[] {0, 1, 2, (byte) 0xff}).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendText("y".repeat(300)).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.ping(ByteBuffer.wrap("ping!".getBytes(StandardCharsets.US_ASCII))).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendBinary(large).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            client.awaitEchoes(4);
            assertEquals(1000, client.close("bye"));
            traced = trace.awaitJson(l -> "close".equals(l.get("type")), "close event");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }

        List<String> expected = new ArrayList<>();
        for (Map<String, Object> line : traced) {
            if ("frame".equals(line.get("type"))) {
                expected.add(line.get("opcode") + " " + line.get("length") + " " + brief(payloadOf(line)));
            }
        }
        assertEquals(12, expected.size(), expected.toString()); // a ping is answered by a pong

        Object packets = TraceJson.parse(tshark(capture, server.port()));
        List<String> found = new ArrayList<>();
        int checksums = 0;
        for (Object packet : (List<?>) packets) {
            Map<?, ?> layers = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) packet).get("_source")).get("layers");
            assertEquals("1", ((Map<?, ?>) layers.get("ip")).get("ip.checksum.status"), "IPv4 checksum");
            assertEquals("1", ((Map<?, ?>) layers.get("tcp")).get("tcp.checksum.status"), "TCP checksum");
            checksums++;
            List<Object> data = all(layers.get("data"));
            int binary = 0;
            for (Object ws : all(layers.get("websocket"))) {
                Map<?, ?> frame = (Map<?, ?>) ws;
                int opcode = Integer.parseInt((String) frame.get("websocket.opcode"));
                Object length = frame.containsKey("websocket.payload_length_ext_64") ? frame.get("websocket.payload_length_ext_64")
                        : frame.containsKey("websocket.payload_length_ext_16") ? frame.get("websocket.payload_length_ext_16")
                        : frame.get("websocket.payload_length");
                String payload = switch (opcode) {
                    case 2 -> hex((String) ((Map<?, ?>) data.get(binary++)).get("data.data"));
                    default -> wiresharkPayload(frame.get("websocket.payload"));
                };
                found.add(opcode + " " + length + " " + brief(payload));
            }
        }
        assertEquals(expected, found);
        assertEquals(true, checksums > 20, "handshake, data and acknowledgements were all read");
    }

    /** Long payloads compared by length and hash, so that a failure message stays readable. */
    private static String brief(String payload) {
        return payload.length() <= 80 ? payload
                : payload.substring(0, 40) + "...(" + payload.length() + " chars, hash " + payload.hashCode() + ")";
    }

    /** What the trace's JSON says the unmasked payload is, in the form compared with tshark's. */
    private static String payloadOf(Map<String, Object> frame) {
        return switch (((Long) frame.get("opcode")).intValue()) {
            case 1 -> "text:" + frame.get("payload_text");
            case 8 -> "close:" + frame.get("close_code");
            default -> (String) frame.get("payload_hex");
        };
    }

    /** tshark's payload subtree: text, ping and pong bytes, or the close code. */
    private static String wiresharkPayload(Object payload) {
        Map<?, ?> p = (Map<?, ?>) payload;
        if (p.containsKey("websocket.payload.text")) {
            return "text:" + p.get("websocket.payload.text");
        }
        if (p.containsKey("websocket.payload.close")) {
            return "close:" + ((Map<?, ?>) p.get("websocket.payload.close")).get("websocket.payload.close.status_code");
        }
        Object bytes = p.containsKey("websocket.payload.ping") ? p.get("websocket.payload.ping") : p.get("websocket.payload.pong");
        return hex((String) bytes);
    }

    private static String hex(String colonSeparated) {
        return colonSeparated.replace(":", "");
    }

    /** A layer tshark lists once as an object, several times as an array. */
    private static List<Object> all(Object layer) {
        if (layer == null) {
            return List.of();
        }
        return layer instanceof List<?> list ? new ArrayList<>(list) : List.of(layer);
    }

    private static String tshark(Path capture, int serverPort) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(TSHARK.toString(), "-r", capture.toString(),
                "-d", "tcp.port==" + serverPort + ",http", // the upstream port is not one Wireshark knows as HTTP
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-T", "json", "--no-duplicate-keys")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tshark did not finish");
        }
        assertEquals(0, p.exitValue(), "tshark exit status");
        return new String(out.join(), StandardCharsets.UTF_8);
    }

}
