package dev.duplex.compliance.peers;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Duplex's own server: the client and server ends of this library against each other. */
final class DuplexPeer implements Peer {
    private final WebSocketServer server;

    DuplexPeer() {
        WebSocketServer.Builder builder = WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder().maxMessageSize(16 * 1024 * 1024).build())
                .route("/echo", (socket, message) -> socket.send(message))
                .route("/ping", new Pinger())
                .route("/drop", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket socket) {
                        socket.abort();
                    }

                    @Override
                    public void onMessage(WebSocket socket, Message message) {}
                });
        for (int code : PeerContract.CLOSE_CODES) {
            builder.route("/close/" + code, new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    socket.close(code, "bye " + code);
                }

                @Override
                public void onMessage(WebSocket socket, Message message) {}
            });
        }
        server = builder.build().start();
    }

    @Override
    public String name() {
        return "Duplex server";
    }

    @Override
    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    /** The server's API sends whole messages only; the fake servers of duplex-lib cover fragments. */
    @Override
    public boolean fragments() {
        return false;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(2));
    }

    private static final class Pinger implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket socket) {
            socket.ping(ByteBuffer.wrap(PING_PAYLOAD.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void onPong(WebSocket socket, byte[] payload) {
            socket.sendText("pong:" + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {}
    }
}
