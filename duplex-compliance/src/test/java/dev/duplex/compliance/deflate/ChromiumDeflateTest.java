package dev.duplex.compliance.deflate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.WebSocketServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Headless Chromium (Debian's chromium and chromium-driver; 156 when written) exchanging
 * compressed messages with the Duplex server, driven through chromedriver's W3C WebDriver HTTP
 * API from the JDK's HttpClient, so no browser or driver is downloaded. The page comes from the
 * server itself through a {@link WireTap}; its script opens a WebSocket to the same origin,
 * sends text and binary messages up to 1 MiB, checks every echo and reports the negotiated
 * extensions; the tap shows RSV1 on the wire both ways.
 *
 * <p>Skipped when /usr/bin/chromium or chromedriver is missing:
 * {@code apt-get install -y chromium chromium-driver}, or scripts/install-peers.sh.
 */
class ChromiumDeflateTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern PORT = Pattern.compile("was started successfully on port (\\d+)");
    private static final Pattern SESSION = Pattern.compile("\"sessionId\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STRING_VALUE = Pattern.compile("\"value\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The page's test: every echo must match; resolves with a one-line report. */
    private static final String SCRIPT = """
            const done = arguments[arguments.length - 1];
            const sizes = [0, 1, 125, 4096, 65536, 1 << 20];
            const words = ['socket', 'frame', 'deflate', 'window', 'é', '€', '𝄞', '{"id":', '\\n'];
            let seed = 7692;
            const random = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
            const encoder = new TextEncoder();
            const text = (size) => {
              // Whole words while they fit, then ASCII: exactly size bytes, no character cut.
              const parts = [];
              let n = 0;
              for (;;) {
                const w = words[random(words.length)] + random(1000);
                const length = encoder.encode(w).length;
                if (n + length > size) break;
                parts.push(w);
                n += length;
              }
              return parts.join('') + 'x'.repeat(size - n);
            };
            const binary = (size) => {
              const b = new Uint8Array(size);
              for (let i = 0; i < size; i++) b[i] = random(4) === 0 ? random(256) : (i >> 6) & 7;
              return b;
            };
            const messages = [];
            for (const size of sizes) { const t = text(size), b = binary(size); messages.push(t, t, b, b); }
            const same = (a, b) => {
              if (typeof a === 'string') return a === b;
              const v = new Uint8Array(b);
              return v.length === a.length && v.every((x, i) => x === a[i]);
            };
            const ws = new WebSocket('ws://' + location.host + '/echo');
            ws.binaryType = 'arraybuffer';
            let next = 0;
            ws.onopen = () => ws.send(messages[0]);
            ws.onmessage = (e) => {
              if (!same(messages[next], e.data)) { done('FAIL echo ' + next + ' differs'); ws.close(); return; }
              next++;
              if (next < messages.length) { ws.send(messages[next]); return; }
              done('OK extensions=' + ws.extensions + ' messages=' + next);
              ws.close(1000);
            };
            ws.onerror = () => done('FAIL error after ' + next + ' echoes');
            ws.onclose = (e) => { if (next < messages.length) done('FAIL closed ' + e.code + ' after ' + next); };
            """;

    @Test
    void chromiumExchangesCompressedMessagesWithDuplex() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && PeerClientsTest.run(java.util.List.of("chromedriver", "--version")).exit() == 0,
                "Chromium or chromedriver is missing (apt-get install -y chromium chromium-driver, or scripts/install-peers.sh)");
        WebSocketServer server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .compression(CompressionOptions.ENABLED)
                .connectionOptions(DeflateServers.OPTIONS)
                .route(DeflateServers.ECHO, (socket, message) -> socket.send(message))
                .resource("/", "text/html; charset=utf-8", "<!doctype html><title>duplex deflate</title>".getBytes(StandardCharsets.UTF_8))
                .build()
                .start();
        Path profile = Files.createTempDirectory("duplex-chromium-");
        Process driver = new ProcessBuilder("chromedriver", "--port=0").redirectErrorStream(true).start();
        try (WireTap tap = new WireTap(server.port())) {
            int driverPort = driverPort(driver);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://127.0.0.1:" + driverPort + "/session";
            String created = post(http, base, """
                    {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                      "binary": "%s",
                      "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               "--disable-background-networking", "--disable-component-update", "--disable-sync",
                               "--no-first-run", "--user-data-dir=%s"]}}}}
                    """.formatted(CHROMIUM, profile));
            Matcher session = SESSION.matcher(created);
            assertTrue(session.find(), () -> "no WebDriver session: " + created);
            String sessionUrl = base + "/" + session.group(1);
            try {
                post(http, sessionUrl + "/timeouts", "{\"script\": " + DEADLINE.toMillis() + "}");
                post(http, sessionUrl + "/url", "{\"url\": \"http://127.0.0.1:" + tap.port() + "/\"}");
                String answer = post(http, sessionUrl + "/execute/async",
                        "{\"script\": " + jsonString(SCRIPT) + ", \"args\": []}");
                Matcher value = STRING_VALUE.matcher(answer);
                assertTrue(value.find(), () -> "no result from the page: " + answer);
                String report = value.group(1);
                System.out.println("Chromium: " + report);
                assertTrue(report.startsWith("OK "), report);
                assertTrue(report.contains("extensions=permessage-deflate"), report);
                assertTrue(report.endsWith("messages=24"), report);
                assertEquals(1, tap.switchingResponses().size());
                assertTrue(tap.switchingResponses().get(0).contains("Sec-WebSocket-Extensions: permessage-deflate"),
                        () -> "the 101 on the wire: " + tap.switchingResponses());
                PeerClientsTest.assertWireShowsCompression(tap.frames());
            } finally {
                http.send(HttpRequest.newBuilder(URI.create(sessionUrl)).DELETE().timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        } finally {
            driver.destroy();
            if (!driver.waitFor(10, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
            server.close();
            deleteTree(profile);
        }
    }

    /** Reads chromedriver's output until it names its port (it picked a free one for --port=0). */
    private static int driverPort(Process driver) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = PORT.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
                throw new IllegalStateException("chromedriver exited without naming its port");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        int p = port.get(30, TimeUnit.SECONDS);
        // Keep draining its output so it never blocks on a full pipe.
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (IOException ignored) {
                // the driver has gone
            }
        });
        return p;
    }

    private static String post(HttpClient http, String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .timeout(DEADLINE.plusSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), () -> url + " answered " + response.body());
        return response.body();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
