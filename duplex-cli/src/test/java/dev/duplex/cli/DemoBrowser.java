package dev.duplex.cli;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with Duplex's own WebSocket
 * client: no WebDriver, no browser download, no dependency. One browser per test class; each
 * {@link Page} is a tab.
 */
final class DemoBrowser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Duration DEADLINE = Duration.ofSeconds(15);

    private final Process process;
    private final Path profile;
    private final int port;

    private DemoBrowser(Process process, Path profile, int port) {
        this.process = process;
        this.profile = profile;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(CHROMIUM);
    }

    static DemoBrowser launch() throws IOException {
        Path profile = Files.createTempDirectory("duplex-chromium");
        Process process = new ProcessBuilder(CHROMIUM.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-extensions", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-dev-shm-usage", "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // Chromium writes the port it chose to this file once DevTools listens.
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            if (Files.exists(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return new DemoBrowser(process, profile, Integer.parseInt(lines.get(0).trim()));
                }
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("Chromium did not start DevTools");
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // a file has no signal; the deadline bounds this
        }
    }

    /** Opens a new tab at {@code url}. */
    Page open(String url) throws Exception {
        String debugger = (String) TraceJson.object(put("/json/new?" + URLEncoder.encode(url, StandardCharsets.UTF_8)))
                .get("webSocketDebuggerUrl");
        Page page = new Page();
        page.socket = WebSocketClient.create().connect(URI.create(debugger), page)
                .get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        page.awaitLoaded(url);
        return page;
    }

    /**
     * One HTTP request to the DevTools endpoint, by hand: the test module does not read
     * java.net.http, and a plain HTTP/1.1 request with a Content-Length answer is all it takes.
     */
    private String put(String target) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) DEADLINE.toMillis());
            socket.getOutputStream().write(("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("DevTools closed the connection in the head: " + head);
                }
                head.append((char) b);
            }
            if (!head.toString().startsWith("HTTP/1.1 200")) {
                throw new IOException("DevTools answered: " + head);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            if (!length.find()) {
                throw new IOException("DevTools sent no Content-Length: " + head);
            }
            return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One tab, spoken to over its DevTools WebSocket. */
    static final class Page implements WebSocketHandler {
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Long, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
        private WebSocket socket;

        @Override
        public void onMessage(WebSocket s, Message message) {
            Map<String, Object> reply = TraceJson.object(((Message.Text) message).text());
            Object id = reply.get("id");
            if (id != null) {
                CompletableFuture<Map<String, Object>> waiting = pending.remove((Long) id);
                if (waiting != null) {
                    waiting.complete(reply);
                }
            }
        }

        /** Calls a DevTools method; {@code params} is a JSON object. */
        Map<String, Object> call(String method, String params) throws Exception {
            long id = ids.incrementAndGet();
            CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
            pending.put(id, reply);
            socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
            Map<String, Object> answer = reply.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (answer.containsKey("error")) {
                throw new AssertionError(method + " failed: " + answer.get("error"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) answer.get("result");
            return result;
        }

        /** Evaluates JavaScript in the page (awaiting a promise) and returns its value. */
        Object eval(String expression) throws Exception {
            Map<String, Object> result = call("Runtime.evaluate", JsonWriter.object()
                    .string("expression", expression).bool("returnByValue", true).bool("awaitPromise", true).toString());
            if (result.containsKey("exceptionDetails")) {
                throw new AssertionError("script failed: " + expression + "\n" + result.get("exceptionDetails"));
            }
            return ((Map<?, ?>) result.get("result")).get("value");
        }

        /** Text of the element with this id; null while the page has none (it may still be loading). */
        String text(String id) throws Exception {
            return (String) eval("(document.getElementById(" + JsonWriter.quote(id) + ") || {}).textContent");
        }

        /**
         * Waits until the element's text contains {@code wanted}; fails with what it holds. The
         * page is polled: the DOM has no signal a test can wait on here, and the deadline bounds it.
         */
        String awaitText(String id, String wanted) throws Exception {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                String text = text(id);
                if (text != null && text.contains(wanted)) {
                    return text;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("#" + id + " never showed '" + wanted + "'; it shows: " + text);
                }
                LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
            }
        }

        /** Waits until the tab shows {@code url}, fully loaded, its scripts run. */
        void awaitLoaded(String url) throws Exception {
            String loaded = "location.href === " + JsonWriter.quote(url) + " && document.readyState === 'complete'";
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!Boolean.TRUE.equals(eval(loaded))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the tab never finished loading " + url + "; it shows " + eval("location.href"));
                }
                LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
            }
        }

        /** Sets an input's value and submits its form, as typing and pressing Enter would. */
        void type(String inputId, String text) throws Exception {
            eval("(() => { const i = document.getElementById(" + JsonWriter.quote(inputId) + "); i.value = "
                    + JsonWriter.quote(text) + "; i.form.requestSubmit(); })()");
        }

        void close() {
            socket.close();
        }
    }
}
