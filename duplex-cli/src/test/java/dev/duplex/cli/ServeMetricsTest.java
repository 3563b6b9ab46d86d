package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.ClientOptions;
import dev.duplex.HandshakeFailedException;
import dev.duplex.HttpEndpoint;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code duplex serve --metrics} started as a child process, as an operator starts it: what
 * {@code /metrics} says after known traffic, that {@code promtool check metrics} (Debian package
 * {@code prometheus}) accepts it, that a real Prometheus scrapes it, that no secret reaches a
 * label, and {@code /healthz}.
 */
class ServeMetricsTest {
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)/");
    private static final Pattern METRICS = Pattern.compile("metrics: +http://[^:]+:(\\d+)/metrics");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final long TIMEOUT_SECONDS = 10;
    private static final String TICKET = "tkt-SECRET-6f1d";
    private static final String TOKEN = "bearer-SECRET-91ab";
    private static final String PAYLOAD = "payload-SECRET-77c2";

    /** An HTTP/1.1 answer: its status, its head and its body. */
    private record Answer(int status, String head, String body) {}

    /** {@code duplex serve --metrics} on a free loopback port; closed with SIGTERM. */
    private record Serve(Process process, int port, int metricsPort) implements AutoCloseable {
        static Serve start() throws IOException {
            return start("--metrics");
        }

        static Serve start(String... flags) throws IOException {
            return start(ProcessBuilder.Redirect.DISCARD, flags);
        }

        static Serve start(ProcessBuilder.Redirect stderr, String... flags) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "serve", "--host", "127.0.0.1", "--port", "0"));
            command.addAll(List.of(flags));
            Process process = new ProcessBuilder(command).redirectError(stderr).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            int metricsPort = -1;
            List<String> banner = new ArrayList<>();
            for (String line; (line = out.readLine()) != null; ) {
                banner.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
                Matcher metrics = METRICS.matcher(line);
                if (metrics.find()) {
                    metricsPort = Integer.parseInt(metrics.group(1));
                }
                if (line.contains("Ctrl-C")) {
                    break;
                }
            }
            if (port < 0 || metricsPort < 0) {
                process.destroyForcibly();
                throw new IllegalStateException("duplex serve did not start: " + banner);
            }
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep its pipe drained
            return new Serve(process, port, metricsPort);
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + metricsPort + path);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** One request on a connection of its own, read to its end (both servers close after answering). */
    private static Answer request(URI uri, String method, String host) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            socket.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            if (!all.startsWith("HTTP/1.1 ") || end < 0) {
                throw new IOException("not an HTTP answer: " + all);
            }
            return new Answer(Integer.parseInt(all.substring(9, 12)), all.substring(0, end), all.substring(end + 4));
        }
    }

    private static Answer get(URI uri) throws IOException {
        return request(uri, "GET", uri.getHost() + ":" + uri.getPort());
    }

    /** Fetches /metrics until {@code condition} holds, or fails with the last text after the deadline. */
    private String metricsWhen(Serve serve, Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        String text;
        do {
            text = get(serve.uri("/metrics")).body();
            if (condition.test(text)) {
                return text;
            }
            Thread.sleep(20); // polling interval only
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within " + TIMEOUT_SECONDS + " s: " + what + "\n" + text);
    }

    private static final class Peer implements WebSocketHandler {
        final CompletableFuture<Message> echo = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public void onMessage(WebSocket socket, Message message) {
            echo.complete(message);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            closed.complete(code);
        }
    }

    @Test
    void metricsCountTheTrafficAndPassPromtool() throws Exception {
        try (Serve serve = Serve.start()) {
            URI echo = URI.create("ws://127.0.0.1:" + serve.port() + "/echo?ticket=" + TICKET);
            WebSocketClient client = WebSocketClient.create(ClientOptions.builder()
                    .header("Authorization", "Bearer " + TOKEN).build());
            List<WebSocket> sockets = new ArrayList<>();
            List<Peer> peers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Peer peer = new Peer();
                peers.add(peer);
                WebSocket socket = client.connect(echo, peer).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                socket.sendText(PAYLOAD);
                peer.echo.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                sockets.add(socket);
            }
            // Refused: an Origin the server does not allow (403), and no route (404).
            WebSocketClient foreign = WebSocketClient.create(ClientOptions.builder().origin("https://evil.example").build());
            assertRefused(403, foreign.connect(echo, new Peer()));
            assertRefused(404, client.connect(URI.create("ws://127.0.0.1:" + serve.port() + "/" + TICKET), new Peer()));
            sockets.get(0).close(4001, TOKEN);
            peers.get(0).closed.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

            String text = metricsWhen(serve, t -> t.contains("duplex_connections_open 2\n")
                    && t.contains("duplex_closes_total{code=\"4001\",side=\"remote\"} 1\n"), "two open, one closed with 4001");
            assertTrue(text.contains("duplex_handshakes_accepted_total 3\n"), text);
            assertTrue(text.contains("duplex_handshakes_refused_total{status=\"403\"} 1\n"), text);
            assertTrue(text.contains("duplex_handshakes_refused_total{status=\"404\"} 1\n"), text);
            assertTrue(text.contains("duplex_messages_total{direction=\"in\",type=\"text\"} 3\n"), text);
            assertTrue(text.contains("duplex_messages_total{direction=\"out\",type=\"text\"} 3\n"), text);
            long payload = PAYLOAD.length() * 3L;
            assertTrue(text.contains("duplex_payload_bytes_total{direction=\"in\"} " + payload + "\n"), text);
            assertTrue(text.contains("# TYPE duplex_messages_total counter\n"), text);
            assertTrue(text.contains("# HELP duplex_connections_open "), text);
            assertTrue(text.contains("duplex_up 1\n"), text);
            for (String secret : List.of(TICKET, TOKEN, PAYLOAD, "SECRET")) {
                assertFalse(text.contains(secret), "a secret in /metrics: " + secret);
            }
            assertTrue(get(serve.uri("/metrics")).head().contains("Content-Type: text/plain; version=0.0.4"));

            assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (apt-get install prometheus)");
            Process promtool = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream in = promtool.getOutputStream()) {
                in.write(text.getBytes(StandardCharsets.UTF_8));
            }
            String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(promtool.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "promtool did not finish");
            assertEquals(0, promtool.exitValue(), "promtool check metrics: " + verdict + "\n" + text);
            assertEquals("", verdict.strip(), "promtool has remarks");
            for (int i = 1; i < 3; i++) {
                sockets.get(i).close(1000, "");
            }
        }
    }

    private static void assertRefused(int status, CompletableFuture<WebSocket> connecting) throws Exception {
        try {
            connecting.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("the handshake went through; expected " + status);
        } catch (ExecutionException e) {
            assertEquals(status, ((HandshakeFailedException) e.getCause()).status());
        }
    }

    @Test
    void healthzAndTheHostCheck() throws Exception {
        try (Serve serve = Serve.start()) {
            Answer health = get(serve.uri("/healthz"));
            assertEquals(200, health.status());
            assertEquals("ok\n", health.body());
            assertEquals(405, request(serve.uri("/metrics"), "POST", "127.0.0.1").status());
            // Row A20: a name the server does not answer to gets 421, metrics or not.
            Answer rebound = request(serve.uri("/metrics"), "GET", "rebound.example");
            assertEquals(421, rebound.status());
            assertFalse(rebound.body().contains("duplex_"), rebound.body());
        }
    }

    @Test
    void metricsOnAPortOfTheirOwn() throws Exception {
        try (Serve serve = Serve.start("--metrics-port", "0")) {
            assertTrue(serve.metricsPort() != serve.port());
            WebSocket socket = WebSocketClient.create()
                    .connect(URI.create("ws://127.0.0.1:" + serve.port() + "/echo"), new Peer())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            metricsWhen(serve, t -> t.contains("duplex_connections_open 1\n"), "one open connection, seen on the metrics port");
            assertEquals(200, get(serve.uri("/healthz")).status());
            // Not on the WebSocket port, then.
            assertEquals(404, get(URI.create("http://127.0.0.1:" + serve.port() + "/metrics")).status());
            socket.close(1000, "");
        }
    }

    @Test
    void jsonLogLinesHoldNoSecret(@TempDir Path dir) throws Exception {
        Path stderr = dir.resolve("stderr.log");
        try (Serve serve = Serve.start(ProcessBuilder.Redirect.to(stderr.toFile()), "--metrics", "--log-format", "json")) {
            URI echo = URI.create("ws://127.0.0.1:" + serve.port() + "/echo?ticket=" + TICKET);
            WebSocketClient foreign = WebSocketClient.create(ClientOptions.builder().origin("https://evil.example")
                    .header("Authorization", "Bearer " + TOKEN).build());
            assertRefused(403, foreign.connect(echo, new Peer()));
            Peer peer = new Peer();
            WebSocket socket = WebSocketClient.create().connect(echo, peer).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            socket.sendText(PAYLOAD);
            peer.echo.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            socket.close(1000, "");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!Files.readString(stderr).contains("refused")) {
                assertTrue(System.nanoTime() < deadline, "no log line about the refusal: " + Files.readString(stderr));
                Thread.sleep(20); // polling interval only
            }
        }
        List<String> lines = Files.readAllLines(stderr).stream().filter(l -> !l.isBlank()).toList();
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), "not a JSON log line: " + line);
            assertTrue(line.contains("\"level\":\"") && line.contains("\"message\":\""), line);
            for (String secret : List.of(TICKET, TOKEN, PAYLOAD, "SECRET")) {
                assertFalse(line.contains(secret), "a secret in a log line: " + line);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"level\":\"INFO\"") && l.contains("403")), String.join("\n", lines));
    }

    @Test
    void healthzSays503OnceTheServerIsStopping() {
        WebSocketServer.Builder builder = WebSocketServer.builder().host("127.0.0.1").port(0);
        MetricsEndpoint endpoint = MetricsEndpoint.install(builder);
        WebSocketServer server = builder.build();
        endpoint.serving(server);
        server.start();
        HttpEndpoint.Request request = new HttpEndpoint.Request(
                new HttpRequest("GET", "/healthz", "HTTP/1.1", Headers.builder().add("Host", "127.0.0.1").build()),
                new byte[0], new InetSocketAddress("127.0.0.1", 1));
        assertEquals(200, endpoint.health(request).status());
        server.stop(Duration.ofSeconds(1));
        assertEquals(503, endpoint.health(request).status());
        assertTrue(MetricsEndpoint.format(server.metrics()).contains("duplex_up 0\n"));
    }

    @Test
    void aRealPrometheusScrapesTheConnectionCount(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed (apt-get install prometheus)");
        try (Serve serve = Serve.start()) {
            WebSocketClient client = WebSocketClient.create();
            List<WebSocket> sockets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sockets.add(client.connect(URI.create("ws://127.0.0.1:" + serve.port() + "/echo"), new Peer())
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            int promPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: duplex
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(serve.port()));
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                URI query = URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query=duplex_connections_open");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                String last = "";
                while (!last.contains("\"value\":[") || !last.matches("(?s).*\"value\":\\[[0-9.]+,\"4\"\\].*")) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("Prometheus did not report 4 open connections within 60 s: " + last
                                + "\n" + Files.readString(dir.resolve("prometheus.log")));
                    }
                    Thread.sleep(200); // polling interval only
                    try {
                        last = get(query).body();
                    } catch (IOException notYetListening) {
                        last = notYetListening.toString();
                    }
                }
                assertTrue(last.contains("\"job\":\"duplex\""), last);
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
            sockets.forEach(s -> s.close(1000, ""));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
