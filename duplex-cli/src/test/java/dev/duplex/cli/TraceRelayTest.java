package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code duplex trace} between raw sockets and between Duplex's own client and server. */
class TraceRelayTest {
    private static final int TIMEOUT_MILLIS = 5_000;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static List<Map<String, Object>> frames(List<Map<String, Object>> lines, String dir) {
        return lines.stream().filter(l -> "frame".equals(l.get("type")) && dir.equals(l.get("dir"))).toList();
    }

    static String problems(Map<String, Object> line) {
        return line.get("violations").toString();
    }

    @Test
    void relayedBytesAreIdenticalBothWaysAndViolationsAreReportedNotFixed() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        byte[] request = ascii("GET /raw HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        byte[] clientFrames = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58" // masked "Hello": clean
                + " 81 05 48 65 6c 6c 6f" // unmasked client frame
                + " 83 80 00 00 00 00" // reserved opcode 3
                + " 81 82 00 00 00 00 c3 28" // invalid UTF-8
                + " 88 82 00 00 00 00 03 ed"); // close 1005, which may not be sent
        byte[] response = ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        byte[] serverFrames = hex("81 05 48 65 6c 6c 6f" // "Hello"
                + " 82 84 01 02 03 04 01 02 03 04" // a masked server frame
                + " 88 02 03 e8"); // close 1000

        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + upstream.getLocalPort() + "/raw", "--json")) {
            upstream.setSoTimeout(TIMEOUT_MILLIS);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), trace.port());
                 Socket server = upstream.accept()) {
                client.setSoTimeout(TIMEOUT_MILLIS);
                server.setSoTimeout(TIMEOUT_MILLIS);
                String why = "seed " + seed;
                writeInPieces(client.getOutputStream(), request, random);
                assertArrayEquals(request, readExactly(server.getInputStream(), request.length), why);
                byte[] fromServer = concat(response, serverFrames);
                writeInPieces(server.getOutputStream(), fromServer, random);
                assertArrayEquals(fromServer, readExactly(client.getInputStream(), fromServer.length), why);
                writeInPieces(client.getOutputStream(), clientFrames, random);
                assertArrayEquals(clientFrames, readExactly(server.getInputStream(), clientFrames.length), why);

                // Each end's FIN is passed on: the half-close is part of the conversation too.
                server.shutdownOutput();
                assertEquals(-1, client.getInputStream().read(), "the client sees the server's end");
                client.shutdownOutput();
                assertEquals(-1, server.getInputStream().read(), "the server sees the client's end");
            }
            List<Map<String, Object>> lines = trace.awaitJson(l -> "close".equals(l.get("type")), "close event");

            Map<String, Object> head = lines.stream().filter(l -> "http".equals(l.get("type"))
                    && "server->client".equals(l.get("dir"))).findFirst().orElseThrow();
            assertTrue(head.get("notes").toString().contains("Sec-WebSocket-Accept matches the key: ok"), head.toString());

            List<Map<String, Object>> up = frames(lines, "client->server");
            assertEquals(5, up.size(), up.toString());
            assertEquals("Hello", up.get(0).get("payload_text"));
            assertEquals("37fa213d", up.get(0).get("mask_key"));
            assertEquals(List.of(), up.get(0).get("violations"));
            assertTrue(problems(up.get(1)).contains("client frame is not masked"), problems(up.get(1)));
            assertTrue(problems(up.get(1)).contains("the server must fail the connection with 1002"), problems(up.get(1)));
            assertEquals("RESERVED-0x3", up.get(2).get("opcode_name"));
            assertTrue(problems(up.get(2)).contains("reserved opcode 0x3"), problems(up.get(2)));
            assertTrue(problems(up.get(3)).contains("not valid UTF-8"), problems(up.get(3)));
            assertTrue(problems(up.get(3)).contains("1007"), problems(up.get(3)));
            assertEquals(1005L, up.get(4).get("close_code"));
            assertTrue(problems(up.get(4)).contains("may not be sent"), problems(up.get(4)));

            List<Map<String, Object>> down = frames(lines, "server->client");
            assertEquals(3, down.size(), down.toString());
            assertTrue(problems(down.get(1)).contains("server frame is masked"), problems(down.get(1)));
            assertEquals("00000000", down.get(1).get("payload_hex"), "unmasked with its key");
            assertEquals(1000L, down.get(2).get("close_code"));
            assertEquals("normal closure", down.get(2).get("close_name"));

            Map<String, Object> close = lines.get(lines.size() - 1);
            assertEquals((long) (request.length + clientFrames.length), close.get("client_bytes"));
            assertEquals((long) (response.length + serverFrames.length), close.get("server_bytes"));
        }
    }

    @Test
    void framesBetweenDuplexClientAndServerMatchWhatEachSent() throws Exception {
        WebSocketServer server = TraceEchoClient.echoServer();
        try (TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + server.port() + "/echo", "--json",
                "--max-payload", "100000")) {
            TraceEchoClient client = TraceEchoClient.connect(trace.port());
            WebSocket socket = client.socket;
            String big = "x".repeat(70_000); // needs the 64-bit length
            byte[] binary = {0, 1, 2, (byte) 0xfe, (byte) 0xff};
            socket.sendText("héllo ✓").get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendBinary(binary).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendText(big).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            client.awaitEchoes(3);
            assertEquals(1000, client.close("bye"));

            List<Map<String, Object>> lines = trace.awaitJson(l -> "close".equals(l.get("type")), "close event");
            for (String dir : List.of("client->server", "server->client")) {
                List<Map<String, Object>> f = frames(lines, dir);
                boolean fromClient = dir.startsWith("client");
                assertEquals(4, f.size(), dir + ": " + f);
                assertEquals("héllo ✓", f.get(0).get("payload_text"), dir);
                assertEquals(7L, f.get(0).get("length_bits"));
                assertEquals(fromClient, f.get(0).get("masked"), dir);
                assertEquals("BINARY", f.get(1).get("opcode_name"));
                assertEquals(HexFormat.of().formatHex(binary), f.get(1).get("payload_hex"), dir);
                assertEquals(big, f.get(2).get("payload_text"), dir);
                assertEquals(64L, f.get(2).get("length_bits"));
                assertEquals(1000L, f.get(3).get("close_code"));
                if (fromClient) {
                    assertEquals("bye", f.get(3).get("close_reason"));
                }
                f.forEach(frame -> assertEquals(List.of(), frame.get("violations"), dir + " " + frame));
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void textTraceShowsTimeConnectionDirectionAndEveryHeaderField() throws Exception {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/echo", (socket, message) -> socket.send(message)).build().start();
        try (TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + server.port() + "/echo")) {
            WebSocket socket = WebSocketClient.create().connect(URI.create("ws://127.0.0.1:" + trace.port() + "/echo"),
                    (s, m) -> { }).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            socket.sendText("Hello").get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            String out = trace.awaitText("server->client TEXT (0x1)");
            assertTrue(out.matches("(?s).*\\d\\d:\\d\\d:\\d\\d\\.\\d{3} #1 client->server TEXT \\(0x1\\) FIN=1 RSV1=0"
                    + " RSV2=0 RSV3=0 MASK=1 key=[0-9a-f]{8} length=5 \\(7-bit\\)\n    text: \"Hello\"\n.*"), out);
            assertTrue(out.contains("#1 server->client HTTP response\n    HTTP/1.1 101 Switching Protocols\n"), out);
            assertTrue(out.contains("    = Sec-WebSocket-Accept matches the key: ok\n"), out);
            socket.close(1001, "leaving").get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            trace.awaitText("close 1001 (going away), reason \"leaving\"");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void upstreamThatRefusesIsReportedAndTheClientClosed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + closedPort, "--json");
             Socket client = new Socket(InetAddress.getLoopbackAddress(), trace.port())) {
            client.setSoTimeout(TIMEOUT_MILLIS);
            assertEquals(-1, client.getInputStream().read());
            List<Map<String, Object>> lines = trace.awaitJson(l -> "problem".equals(l.get("type")), "problem");
            assertTrue(lines.get(0).get("text").toString().startsWith("cannot connect to upstream"), lines.toString());
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream e = new java.io.PrintStream(err, true, StandardCharsets.UTF_8);
        java.io.PrintStream o = new java.io.PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"trace", "--listen", "0", "--upstream", "wss://example.com"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("plain ws:// only"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, Main.run(new String[] {"trace", "--upstream", "ws://127.0.0.1:1"}, o, e));
        assertEquals(2, Main.run(new String[] {"trace", "--listen", "99999", "--upstream", "ws://127.0.0.1:1"}, o, e));
    }

    /** Writes in seeded random pieces, so the relay and dissector see arbitrary splits. */
    static void writeInPieces(OutputStream out, byte[] bytes, Random random) throws IOException {
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(12));
            out.write(bytes, at, n);
            out.flush();
            at += n;
        }
    }

    static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        assertEquals(length, bytes.length, "the stream ended early");
        return bytes;
    }

    static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }
}
