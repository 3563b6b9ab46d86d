package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page under {@code --demo-auth} in headless Chromium (rows A10, J): it asks for the
 * password, fetches a single-use ticket, opens the echo socket with it, and fetches a new one
 * when it reconnects.
 */
class DemoAuthBrowserTest {
    private static DemoBrowser browser;

    @BeforeAll
    static void launch() throws Exception {
        assumeTrue(DemoBrowser.available(), "Chromium is not installed; skipping the demo page tests");
        browser = DemoBrowser.launch();
    }

    @AfterAll
    static void quit() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void A10_pageAsksForThePasswordThenEchoesThroughATicketAndReconnectsWithANewOne() throws Exception {
        WebSocketServer.Builder builder = ServeCommand.demo(WebSocketServer.builder().host("127.0.0.1").port(0), List.of());
        DemoAuth auth = DemoAuth.install(builder, true, OriginPolicy.sameOrigin());
        WebSocketServer server = builder.build().start();
        String base = "http://127.0.0.1:" + server.port();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        auth.printTo(new PrintStream(printed, true, StandardCharsets.UTF_8), base);
        Matcher m = Pattern.compile("password: (\\S+)").matcher(printed.toString(StandardCharsets.UTF_8));
        assertTrue(m.find());
        DemoBrowser.Page page = browser.open(base + "/");
        try {
            page.type("auth-password", "wrong");
            page.awaitText("auth-note", "wrong password");
            page.type("auth-password", m.group(1));
            page.awaitText("echo-status", "open (ws://127.0.0.1:" + server.port() + "/echo"); // shown without the ticket
            assertEquals(Boolean.TRUE, page.eval("/[?&]ticket=[A-Za-z0-9_-]{43}$/.test(window.duplexDemo.echo.ws.url)"),
                    "the socket did not open with a ticket");
            page.type("echo-text", "through a ticket");
            page.awaitText("echo-log", "← text: through a ticket");

            // The server closes the socket; the page reconnects, which needs a fresh ticket.
            page.eval("window.duplexDemo.echo.ws.close(4000, 'test')");
            page.awaitText("echo-status", "reconnecting");
            page.awaitText("echo-status", "open (ws://");
            assertEquals(Boolean.TRUE, page.eval("/[?&]ticket=[A-Za-z0-9_-]{43}$/.test(window.duplexDemo.echo.ws.url)"));
            page.type("echo-text", "again");
            page.awaitText("echo-log", "← text: again");
        } finally {
            page.close();
            server.stop(Duration.ofSeconds(2));
        }
    }
}
