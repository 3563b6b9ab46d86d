package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.WebSocketServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page in headless Chromium (Debian's chromium package; skipped without it), with
 * assertions on the DOM: echo round trips, two tabs chatting, the close reason shown in words
 * when the server stops and the reconnect when it returns, and a phone-width layout.
 */
class DemoPageBrowserTest {
    private static DemoBrowser browser;

    @BeforeAll
    static void launch() throws Exception {
        assumeTrue(DemoBrowser.available(),
                "Chromium is not installed (apt-get install chromium chromium-driver); skipping the demo page tests");
        browser = DemoBrowser.launch();
    }

    @AfterAll
    static void quit() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    private static WebSocketServer demoServer(int port) {
        return ServeCommand.demo(WebSocketServer.builder().host("127.0.0.1").port(port), List.of()).build().start();
    }

    @Test
    void echoRoundTripsTextAndAFileAsBinaryAndLogsEachFrame() throws Exception {
        WebSocketServer server = demoServer(0);
        DemoBrowser.Page page = browser.open("http://127.0.0.1:" + server.port() + "/");
        try {
            page.awaitText("echo-status", "open (ws://127.0.0.1:" + server.port() + "/echo)");
            page.type("echo-text", "hello from chromium ✓");
            page.awaitText("echo-log", "← text: hello from chromium ✓");

            page.eval("""
                    (() => {
                      const input = document.getElementById('echo-file');
                      const files = new DataTransfer();
                      files.items.add(new File([new Uint8Array([1, 2, 3, 255])], 'four.bin'));
                      input.files = files.files;
                      input.dispatchEvent(new Event('change'));
                    })()""");
            page.awaitText("echo-log", "← binary: 4 bytes: 01 02 03 ff");
            page.awaitText("echo-log", "→ binary: 4 bytes from four.bin");

            // The frame log: direction, type, size in bytes and compression, newest first.
            @SuppressWarnings("unchecked")
            List<String> rows = (List<String>) page.eval("""
                    Array.from(document.querySelectorAll('#frames li')).map(li =>
                      ['socket', 'dir', 'what', 'size', 'compression']
                        .map(c => li.querySelector('.' + c).textContent).join('|'))""");
            assertEquals("echo|↓|binary|4 B|none", rows.get(0), rows.toString());
            assertEquals("echo|↑|binary|4 B|none", rows.get(1), rows.toString());
            assertTrue(rows.contains("echo|↑|text|23 B|none"), "UTF-8 size of the text: " + rows);
            assertTrue(rows.contains("echo|↓|text|23 B|none"), rows.toString());
        } finally {
            page.close();
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void twoTabsInTheChatSeeEachOthersMessages() throws Exception {
        WebSocketServer server = demoServer(0);
        String url = "http://127.0.0.1:" + server.port() + "/";
        DemoBrowser.Page ada = browser.open(url);
        DemoBrowser.Page bob = browser.open(url);
        try {
            ada.type("chat-name", "Ada");
            ada.awaitText("chat-status", "joined as Ada");
            bob.type("chat-name", "Bob");
            bob.awaitText("chat-status", "joined as Bob");
            ada.awaitText("chat-messages", "* Bob joined");
            ada.awaitText("chat-members", "(2 here)");

            ada.type("chat-text", "hi Bob <b>not bold</b>");
            bob.awaitText("chat-messages", "Ada: hi Bob <b>not bold</b>");
            assertEquals(0L, bob.eval("document.querySelectorAll('#chat-messages b').length"),
                    "chat text is shown as text, never as HTML");
            bob.type("chat-text", "hello Ada");
            ada.awaitText("chat-messages", "Bob: hello Ada");
            assertEquals("", ada.eval("document.getElementById('chat-text').value"), "the input is cleared after sending");

            Map<?, ?> order = (Map<?, ?>) ada.eval("""
                    ({ messages: Array.from(document.querySelectorAll('#chat-messages li.message'))
                         .map(li => li.querySelector('.name').textContent + li.querySelector('.text').textContent) })""");
            assertEquals(List.of("Ada: hi Bob <b>not bold</b>", "Bob: hello Ada"), order.get("messages"));
        } finally {
            ada.close();
            bob.close();
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void stoppingTheServerShowsTheCloseReasonAndThePageReconnectsWhenItReturns() throws Exception {
        WebSocketServer server = demoServer(0);
        int port = server.port();
        DemoBrowser.Page page = browser.open("http://127.0.0.1:" + port + "/");
        try {
            page.awaitText("echo-status", "open");
            page.type("chat-name", "Ada");
            page.awaitText("chat-status", "joined as Ada");

            server.stop(Duration.ofSeconds(2));
            String status = page.awaitText("echo-status", "closed: 1001 going away — server shutting down");
            assertTrue(status.matches(".*reconnecting in \\d+\\.\\d s \\(attempt \\d+\\)"), status);
            page.awaitText("chat-messages", "* disconnected: 1001 going away — server shutting down");

            server = demoServer(port); // the same port, as a restarted server would
            page.awaitText("echo-status", "open (ws://127.0.0.1:" + port + "/echo)");
            page.awaitText("chat-status", "joined as Ada");
            page.type("echo-text", "back again");
            page.awaitText("echo-log", "← text: back again");
        } finally {
            page.close();
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void chatThroughTheTraceShowsEveryFrameUnmaskedAndInflated() throws Exception {
        WebSocketServer server = ServeCommand.demo(WebSocketServer.builder().host("127.0.0.1").port(0)
                .compression(CompressionOptions.ENABLED), List.of()).build().start();
        try (TraceRun trace = TraceRun.start("--upstream", "ws://127.0.0.1:" + server.port(), "--json")) {
            String url = "http://127.0.0.1:" + trace.port() + "/";
            DemoBrowser.Page ada = browser.open(url);
            DemoBrowser.Page bob = browser.open(url);
            try {
                ada.type("chat-name", "Ada");
                bob.type("chat-name", "Bob");
                ada.awaitText("chat-messages", "* Bob joined");
                ada.type("chat-text", "hello through the trace, hello through the trace");
                bob.awaitText("chat-messages", "Ada: hello through the trace, hello through the trace");
                assertTrue(((String) bob.eval("Array.from(document.querySelectorAll('#frames .compression'))"
                        + ".map(e => e.textContent).join()")).contains("deflate"), "the frame log shows the compression");
            } finally {
                ada.close();
                bob.close();
            }
            List<Map<String, Object>> lines = trace.awaitJson(l -> "frame".equals(l.get("type"))
                    && "server->client".equals(l.get("dir")) && String.valueOf(shown(l)).contains("hello through"),
                    "the broadcast of the chat line");
            Map<String, Object> sent = lines.stream().filter(l -> "frame".equals(l.get("type"))
                    && "client->server".equals(l.get("dir")) && Boolean.TRUE.equals(l.get("masked"))
                    && "hello through the trace, hello through the trace".equals(shown(l))).findFirst().orElseThrow(
                            () -> new AssertionError("the chat line from the browser is not in the trace"));
            assertEquals(true, sent.get("compressed"), "Chromium compresses with the deflate it negotiated: " + sent);
            assertTrue(lines.stream().anyMatch(l -> "http".equals(l.get("type"))
                    && l.get("start_line").toString().startsWith("GET / ")), "the page itself came through the trace");
            lines.stream().filter(l -> l.containsKey("violations"))
                    .forEach(l -> assertEquals(List.of(), l.get("violations"), l.toString()));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** A traced frame's payload as text: inflated when it was compressed. */
    private static Object shown(Map<String, Object> frame) {
        return Boolean.TRUE.equals(frame.get("compressed")) ? frame.get("inflated_text") : frame.get("payload_text");
    }

    @Test
    void onAPhoneWidthScreenNothingOverflowsAndThePanelsStack() throws Exception {
        WebSocketServer server = demoServer(0);
        DemoBrowser.Page page = browser.open("about:blank");
        try {
            page.call("Emulation.setDeviceMetricsOverride",
                    "{\"width\":360,\"height\":740,\"deviceScaleFactor\":2,\"mobile\":true}");
            String url = "http://127.0.0.1:" + server.port() + "/";
            page.call("Page.navigate", JsonWriter.object().string("url", url).toString());
            page.awaitLoaded(url);
            page.awaitText("echo-status", "open");
            page.type("echo-text", "a-long-unbroken-word-".repeat(10));
            page.awaitText("echo-log", "← text: a-long-unbroken-word-");
            Map<?, ?> layout = (Map<?, ?>) page.eval("""
                    (() => {
                      const box = (id) => document.getElementById(id).getBoundingClientRect();
                      return { innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
                               echoBottom: box('echo').bottom, chatTop: box('chat').top,
                               chatBottom: box('chat').bottom, framesTop: box('frames-panel').top };
                    })()""");
            assertEquals(360L, layout.get("innerWidth"), layout.toString());
            assertTrue(((Number) layout.get("scrollWidth")).doubleValue() <= 360, "no sideways scrolling: " + layout);
            assertTrue(((Number) layout.get("echoBottom")).doubleValue() <= ((Number) layout.get("chatTop")).doubleValue(),
                    "echo above chat: " + layout);
            assertTrue(((Number) layout.get("chatBottom")).doubleValue() <= ((Number) layout.get("framesTop")).doubleValue(),
                    "chat above the frame log: " + layout);
        } finally {
            page.close();
            server.stop(Duration.ofSeconds(2));
        }
    }
}
