package dev.duplex.compliance.deflate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.ExtensionOffer;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both ends see the same agreement in {@code Handshake.extensions()}: the server's handler reads
 * what its 101 granted, the client what it accepted, and without compression both lists are empty.
 */
class ServerHandshakeExtensionsTest {
    private static final long TIMEOUT_SECONDS = 10;

    @ParameterizedTest(name = "server compression {0}")
    @ValueSource(booleans = {true, false})
    void theHandlerSeesTheAgreedExtension(boolean compression) throws Exception {
        // The server replies with what its own Handshake holds, as a header value.
        WebSocketHandler reportsAgreement = (socket, message) -> socket.sendText(String.join(", ",
                socket.handshake().extensions().stream().map(ExtensionOffer::toHeaderValue).toList()));
        WebSocketServer server = DeflateServers.start(compression ? CompressionOptions.ENABLED : CompressionOptions.DISABLED,
                DeflateServers.OPTIONS, DeflateServers.ECHO, reportsAgreement);
        try {
            CompletableFuture<Message> reply = new CompletableFuture<>();
            WebSocket client = WebSocketClient.create(ClientOptions.builder().build())
                    .connect(URI.create("ws://127.0.0.1:" + server.port() + DeflateServers.ECHO),
                            (socket, message) -> reply.complete(message))
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            client.sendText("which extensions?");
            String serverSide = ((Message.Text) reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).text();
            String clientSide = String.join(", ",
                    client.handshake().extensions().stream().map(ExtensionOffer::toHeaderValue).toList());
            assertEquals(clientSide, serverSide);
            assertEquals(compression, client.handshake().extension(PerMessageDeflate.NAME).isPresent(), clientSide);
            client.close().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } finally {
            server.close();
        }
    }
}
