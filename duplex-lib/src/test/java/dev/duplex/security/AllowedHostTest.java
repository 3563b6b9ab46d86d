package dev.duplex.security;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.HostPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Row A20 through the builder: which Host names a server answers to by default, bound to
 * loopback and to every interface, and with names added. Requests go to 127.0.0.1 either way;
 * only the Host field changes, as it does when a rebinding page points its name here.
 */
class AllowedHostTest {
    private static final WebSocketHandler ECHO = new WebSocketHandler() {
        @Override
        public void onMessage(WebSocket socket, Message message) {
            socket.send(message);
        }
    };

    private static int status(int port, String host) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] line = in.readNBytes(12); // "HTTP/1.1 101"
            return Integer.parseInt(new String(line, ISO_8859_1).substring(9));
        }
    }

    @Test
    void A20_boundToLoopbackOnlyTheLoopbackNamesAreAnswered() throws IOException {
        try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).route("/echo", ECHO).build().start()) {
            int port = server.port();
            assertEquals(101, status(port, "localhost:" + port));
            assertEquals(101, status(port, "127.0.0.1:" + port));
            assertEquals(101, status(port, "[::1]:" + port));
            assertEquals(421, status(port, "evil.example:" + port));
            assertEquals(421, status(port, "192.0.2.1:" + port), "loopback: not any address either");
        }
    }

    @Test
    void A20_boundToEveryInterfaceAddressesAndListedNamesAreAnswered() throws IOException {
        try (WebSocketServer server = WebSocketServer.builder().port(0).allowedHost("chat.example")
                .allowedHost(".apps.example").route("/echo", ECHO).build().start()) {
            int port = server.port();
            assertEquals(101, status(port, "localhost:" + port));
            assertEquals(101, status(port, "192.0.2.1:" + port), "an address cannot be rebound");
            assertEquals(101, status(port, "chat.example:" + port));
            assertEquals(101, status(port, "a.apps.example"));
            assertEquals(421, status(port, "evil.example:" + port));
            assertEquals(421, status(port, "chat.example.evil:" + port));
        }
    }

    @Test
    void A20_theCheckCanBeReplaced() throws IOException {
        try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).hostPolicy(HostPolicy.any())
                .route("/echo", ECHO).build().start()) {
            assertEquals(101, status(server.port(), "evil.example"));
        }
        assertThrows(IllegalArgumentException.class, () -> WebSocketServer.builder().allowedHost("not a name"));
    }

}
