package dev.duplex.compliance.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.Message;
import dev.duplex.ProxyConnectException;
import dev.duplex.ProxyOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.compliance.security.LogCapture;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The client through real proxies (issue 16): tinyproxy for HTTP {@code CONNECT}, with and
 * without Basic authentication, and danted for SOCKS5, with and without a login; ws and wss
 * (TLS end to end, the certificate checked against the server's name) through each; the
 * proxy's refusals as {@link ProxyConnectException} with its status; no credential in any
 * message or log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyTest {
    private static final long TIMEOUT = 15;
    private static final String HTTP_USER = "alice";
    private static final String HTTP_PASSWORD = "pr0xy-Secret";

    private EchoServers servers;

    @BeforeAll
    void start() throws Exception {
        servers = new EchoServers();
    }

    @AfterAll
    void stop() {
        servers.close();
    }

    // ---------------------------------------------------------------- helpers

    /** Records messages; the future completes at the close. */
    static final class Echoes implements WebSocketHandler {
        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(WebSocket socket, Message message) {
            messages.add(message);
        }
    }

    private ClientOptions.Builder trusting(ProxyOptions proxy) throws Exception {
        return ClientOptions.builder().proxy(proxy).sslContext(servers.pki.trustingContext());
    }

    /** Connects, sends one text, expects it back, closes. */
    private void assertEchoes(URI uri, ClientOptions options) throws Exception {
        Echoes echoes = new Echoes();
        WebSocket socket = WebSocketClient.create(options).connect(uri, echoes).get(TIMEOUT, TimeUnit.SECONDS);
        socket.sendText("through the proxy to " + uri.getScheme());
        assertEquals(new Message.Text("through the proxy to " + uri.getScheme()),
                echoes.messages.poll(TIMEOUT, TimeUnit.SECONDS));
        socket.close().get(TIMEOUT, TimeUnit.SECONDS);
    }

    private static Throwable failure(URI uri, ClientOptions options) {
        CompletableFuture<WebSocket> f = WebSocketClient.create(options).connect(uri, new Echoes());
        return assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS)).getCause();
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Every message and toString in the chain, for the no-secrets checks. */
    private static String allText(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }

    private static void assertNoSecret(String text, String password, String user) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        assertFalse(text.contains(password), () -> "the password leaked: " + text);
        assertFalse(text.contains(basic), () -> "the Basic credentials leaked: " + text);
    }

    // ---------------------------------------------------------------- HTTP CONNECT (tinyproxy)

    @Test
    void httpConnectCarriesWsAndWss() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(null, null)) {
            ProxyOptions options = ProxyOptions.http("127.0.0.1", proxy.port());
            assertEchoes(servers.ws(), trusting(options).build());
            assertEchoes(servers.wss(), trusting(options).build());
        }
    }

    @Test
    void wssThroughTheProxyChecksTheServersCertificateAgainstTheServersName() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(null, null)) {
            Throwable error = failure(servers.wssWrongName(),
                    trusting(ProxyOptions.http("127.0.0.1", proxy.port())).build());
            assertTrue(causedBy(error, SSLHandshakeException.class), () -> allText(error));
        }
    }

    @Test
    void httpProxyWithoutCredentialsAnswers407() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(HTTP_USER, HTTP_PASSWORD)) {
            Throwable error = failure(servers.ws(), trusting(ProxyOptions.http("127.0.0.1", proxy.port())).build());
            ProxyConnectException refused = assertInstanceOf(ProxyConnectException.class, error);
            assertEquals(407, refused.status());
            assertTrue(refused.authenticationRequired());
            assertEquals(ProxyOptions.Type.HTTP, refused.proxyType());
            assertTrue(refused.getMessage().contains("127.0.0.1:" + proxy.port()), refused.getMessage());
            assertTrue(refused.getMessage().contains("407"), refused.getMessage());
        }
    }

    @Test
    void httpProxyWithCredentialsCarriesWsAndWssAndNoLineOrMessageHoldsThem() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(HTTP_USER, HTTP_PASSWORD);
             LogCapture log = new LogCapture()) {
            ProxyOptions good = ProxyOptions.parse("http://" + HTTP_USER + ":" + HTTP_PASSWORD + "@127.0.0.1:" + proxy.port());
            assertEchoes(servers.ws(), trusting(good).build());
            assertEchoes(servers.wss(), trusting(good).build());

            ProxyOptions wrong = ProxyOptions.http("127.0.0.1", proxy.port())
                    .withCredentials(HTTP_USER, "not-the-password".toCharArray());
            Throwable error = failure(servers.wss(), trusting(wrong).build());
            ProxyConnectException refused = assertInstanceOf(ProxyConnectException.class, error);
            assertEquals(401, refused.status(), "tinyproxy 1.11 answers wrong credentials with 401, not 407");
            assertTrue(refused.authenticationRequired());

            assertNoSecret(allText(error), "not-the-password", HTTP_USER);
            assertNoSecret(good.toString() + wrong + trusting(good).build(), HTTP_PASSWORD, HTTP_USER);
            List<String> lines = log.lines();
            assertFalse(lines.isEmpty(), "DEBUG logging was on and the connects logged something");
            for (String line : lines) {
                assertNoSecret(line, HTTP_PASSWORD, HTTP_USER);
                assertNoSecret(line, "not-the-password", HTTP_USER);
            }
        }
    }

    @Test
    void aProxyAnswering502GivesTheStatusInAClearError() throws Exception {
        // A hand-written proxy for this one case: tinyproxy answers 502 only for hosts it cannot reach.
        try (ServerSocket fake = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> request = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = fake.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        head.append((char) b);
                    }
                    request.complete(head.toString());
                    s.getOutputStream().write(("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    request.completeExceptionally(e);
                }
            });
            Throwable error = failure(URI.create("wss://server.example:8443/echo"),
                    ClientOptions.builder().proxy(ProxyOptions.http("127.0.0.1", fake.getLocalPort())).build());
            assertTrue(request.get(TIMEOUT, TimeUnit.SECONDS).startsWith(
                    "CONNECT server.example:8443 HTTP/1.1\r\nHost: server.example:8443\r\n"), "the name goes unresolved");
            ProxyConnectException refused = assertInstanceOf(ProxyConnectException.class, error);
            assertEquals(502, refused.status());
            assertFalse(refused.authenticationRequired());
            assertEquals("HTTP proxy 127.0.0.1:" + fake.getLocalPort() + " answered CONNECT server.example:8443 with "
                    + "502 Bad Gateway", refused.getMessage());
        }
    }

    @Test
    void aProxySelectorChoosesTheProxy() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(null, null)) {
            List<URI> asked = new ArrayList<>();
            ProxySelector chosen = ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port()));
            ProxySelector recording = new ProxySelector() {
                @Override
                public List<java.net.Proxy> select(URI uri) {
                    asked.add(uri);
                    return chosen.select(uri);
                }

                @Override
                public void connectFailed(URI uri, java.net.SocketAddress sa, java.io.IOException ioe) {}
            };
            assertEchoes(servers.wss(), trusting(ProxyOptions.selector(recording)).build());
            assertEquals(List.of(URI.create("https://localhost:" + servers.secure.port())), asked);
        }
    }

    @Test
    void theJdkSystemPropertiesApplyByDefault() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(HTTP_USER, HTTP_PASSWORD)) {
            String[] keys = {"http.proxyHost", "http.proxyPort", "http.nonProxyHosts"};
            String[] saved = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                saved[i] = System.getProperty(keys[i]);
            }
            try {
                System.setProperty("http.proxyHost", "127.0.0.1");
                System.setProperty("http.proxyPort", String.valueOf(proxy.port()));
                System.setProperty("http.nonProxyHosts", "none.invalid"); // the default skips localhost
                // The JDK's selector never proxies loopback names, so the server is named by one
                // the proxy would have to resolve; it asks for credentials first, and its 407
                // shows that it was the one asked.
                Throwable error = failure(URI.create("ws://duplex-test.invalid/echo"), ClientOptions.builder().build());
                assertEquals(407, assertInstanceOf(ProxyConnectException.class, error).status());
                // DIRECT ignores the properties.
                assertEchoes(servers.ws(), ClientOptions.builder().proxy(ProxyOptions.DIRECT).build());
            } finally {
                for (int i = 0; i < keys.length; i++) {
                    if (saved[i] == null) {
                        System.clearProperty(keys[i]);
                    } else {
                        System.setProperty(keys[i], saved[i]);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- SOCKS5 (danted)

    @Test
    void socks5CarriesWsAndWss() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.dante(false)) {
            ProxyOptions options = ProxyOptions.parse("socks5://127.0.0.1:" + proxy.port());
            assertEchoes(servers.ws(), trusting(options).build());
            assertEchoes(servers.wss(), trusting(options).build());
        }
    }

    @Test
    void socks5WithALoginCarriesWsAndWssAndRefusesWithoutOne() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.dante(true);
             LogCapture log = new LogCapture()) {
            ProxyOptions login = ProxyOptions.socks5("127.0.0.1", proxy.port())
                    .withCredentials(ProxyPeer.SOCKS_USER, ProxyPeer.SOCKS_PASSWORD.toCharArray());
            assertEchoes(servers.ws(), trusting(login).build());
            assertEchoes(servers.wss(), trusting(login).build());

            Throwable none = failure(servers.ws(), trusting(ProxyOptions.socks5("127.0.0.1", proxy.port())).build());
            ProxyConnectException refused = assertInstanceOf(ProxyConnectException.class, none);
            assertEquals(ProxyConnectException.SOCKS5_AUTHENTICATION_FAILED, refused.status());
            assertTrue(refused.authenticationRequired());

            ProxyOptions wrong = ProxyOptions.socks5("127.0.0.1", proxy.port())
                    .withCredentials(ProxyPeer.SOCKS_USER, "wrong-pw".toCharArray());
            Throwable bad = failure(servers.ws(), trusting(wrong).build());
            assertEquals(ProxyConnectException.SOCKS5_AUTHENTICATION_FAILED,
                    assertInstanceOf(ProxyConnectException.class, bad).status());
            assertNoSecret(allText(bad), "wrong-pw", ProxyPeer.SOCKS_USER);
            for (String line : log.lines()) {
                assertNoSecret(line, ProxyPeer.SOCKS_PASSWORD, ProxyPeer.SOCKS_USER);
                assertNoSecret(line, "wrong-pw", ProxyPeer.SOCKS_USER);
            }
        }
    }

    @Test
    void socks5ReportsTheProxysReplyCodeWhenTheServerIsUnreachable() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.dante(false); ServerSocket closed = new ServerSocket(0)) {
            int port = closed.getLocalPort();
            closed.close(); // nothing listens there now
            Throwable error = failure(URI.create("ws://127.0.0.1:" + port + "/echo"),
                    ClientOptions.builder().proxy(ProxyOptions.socks5("127.0.0.1", proxy.port())).build());
            ProxyConnectException refused = assertInstanceOf(ProxyConnectException.class, error);
            assertEquals(5, refused.status(), refused.getMessage()); // RFC 1928 6: connection refused
            assertTrue(refused.getMessage().contains("connection refused"), refused.getMessage());
        }
    }
}
