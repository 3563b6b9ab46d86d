package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.HandshakeFailedException;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code duplex serve --demo-auth} (rows A10, J): the server the command builds, with the
 * password read from what it prints, exercised as the page does it, through the ticket endpoint
 * and the echo socket.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoAuthTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** One plain HTTP/1.1 exchange, read until the server closes (it always does). */
    record Answer(int statusCode, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private Answer exchange(int port, String method, String path, String body, String... headers) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT.toMillis());
            socket.setSoTimeout((int) WAIT.toMillis());
            StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (method.equals("POST")) {
                request.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ").append(bytes.length).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            return new Answer(Integer.parseInt(all.substring(9, 12)), all.substring(0, end), all.substring(end + 4));
        }
    }
    private WebSocketServer server;
    private String password;
    private String base;

    @BeforeAll
    void start() {
        WebSocketServer.Builder builder = ServeCommand.demo(WebSocketServer.builder().host("127.0.0.1").port(0), List.of());
        DemoAuth auth = DemoAuth.install(builder, true, OriginPolicy.sameOrigin());
        server = builder.build().start();
        base = "http://127.0.0.1:" + server.port();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        auth.printTo(new PrintStream(printed, true, StandardCharsets.UTF_8), base);
        Matcher m = Pattern.compile("password: (\\S+)").matcher(printed.toString(StandardCharsets.UTF_8));
        assertTrue(m.find(), "the password is not printed: " + printed);
        password = m.group(1);
        assertTrue(password.length() >= 22, "a password of " + password.length() + " characters is guessable");
    }

    @AfterAll
    void stop() {
        server.stop(Duration.ofSeconds(5));
    }

    private Answer post(String body, String... headers) throws IOException {
        return exchange(server.port(), "POST", DemoAuth.TICKET_PATH, body, headers);
    }

    private String ticket() throws Exception {
        Answer response = post("password=" + password);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("no-store", response.header("Cache-Control"), "a ticket must not be cached");
        Matcher m = Pattern.compile("\"ticket\":\"([A-Za-z0-9_-]{43})\"").matcher(response.body());
        assertTrue(m.find(), response.body());
        return m.group(1);
    }

    private CompletableFuture<WebSocket> connect(String pathAndQuery, CompletableFuture<String> echoed) {
        return WebSocketClient.create().connect(URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery),
                new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        echoed.complete(((Message.Text) message).text());
                    }
                });
    }

    @Test
    void A10_ticketFromThePasswordOpensTheEchoSocketOnce() throws Exception {
        String ticket = ticket();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket socket = connect("/echo?ticket=" + ticket, echoed).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        socket.sendText("with a ticket");
        assertEquals("with a ticket", echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        socket.close(1000, "");

        ExecutionException replay = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> connect("/echo?ticket=" + ticket, new CompletableFuture<>()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(401, assertInstanceOf(HandshakeFailedException.class, replay.getCause()).status());
    }

    @Test
    void A10_echoWithoutATicketIs401AndTheChatIsNotProtected() throws Exception {
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> connect("/echo", new CompletableFuture<>()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(401, assertInstanceOf(HandshakeFailedException.class, refused.getCause()).status());
        WebSocket chat = connect("/chat?name=t", new CompletableFuture<>()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        chat.close(1000, "");
    }

    @Test
    void ticketEndpointWantsPostAndThePassword() throws Exception {
        assertEquals(403, post("password=wrong").statusCode());
        assertEquals(403, post("").statusCode());
        String basic = Base64.getEncoder().encodeToString(("anyone:" + password).getBytes(StandardCharsets.UTF_8));
        assertEquals(200, post("", "Authorization", "Basic " + basic).statusCode(), "curl -u works too");
        Answer get = exchange(server.port(), "GET", DemoAuth.TICKET_PATH, "");
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.header("Allow"));
    }

    @Test
    void J_pageOnAnotherOriginGetsNoTicket() throws Exception {
        assertEquals(403, post("password=" + password, "Origin", "https://evil.example").statusCode());
    }

    @Test
    void bodyOverTheEndpointLimitIs413() throws Exception {
        assertEquals(413, post("password=" + "x".repeat(9000)).statusCode());
    }

    @Test
    void pageLoadsTheAuthScript() throws Exception {
        Answer page = exchange(server.port(), "GET", "/", "");
        assertTrue(page.body().contains("src=\"/demo-auth.js\""), "index.html does not load demo-auth.js");
        Answer script = exchange(server.port(), "GET", DemoAuth.SCRIPT_PATH, "");
        assertEquals(200, script.statusCode());
        assertTrue(script.body().contains("window.duplexAuth"), "with --demo-auth the page gets the ticket script");

        WebSocketServer plain = ServeCommand.demo(WebSocketServer.builder().host("127.0.0.1").port(0), List.of()).build().start();
        try {
            Answer off = exchange(plain.port(), "GET", DemoAuth.SCRIPT_PATH, "");
            assertEquals(200, off.statusCode(), "without --demo-auth the script is still there, and does nothing");
            assertTrue(!off.body().contains("duplexAuth"));
        } finally {
            plain.stop(Duration.ofSeconds(5));
        }
    }
}
