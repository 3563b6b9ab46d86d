package dev.duplex.compliance.peers;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Jetty;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/** Jetty 12's WebSocket server, in this JVM, on the core (servlet-free) API. */
final class JettyPeer implements Peer {
    private static final int LIMIT = 16 * 1024 * 1024;

    private final Server server;
    private final int port;

    JettyPeer() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(LIMIT);
            container.setMaxBinaryMessageSize(LIMIT);
            container.setMaxFrameSize(LIMIT);
            container.setIdleTimeout(Duration.ofSeconds(30));
            container.addMapping("/*", (request, response, callback) -> new Endpoint(request.getHttpURI().getPath()));
        }));
        server.start();
        port = connector.getLocalPort();
    }

    @Override
    public String name() {
        return "Jetty " + Jetty.VERSION;
    }

    @Override
    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** One connection, acting on its path. Public: Jetty finds its methods through a public lookup. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final String path;
        private Session session;

        Endpoint(String path) {
            this.path = path;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            if (path.equals("/ping")) {
                session.sendPing(ByteBuffer.wrap(PING_PAYLOAD.getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
            } else if (path.startsWith("/close/")) {
                int code = Integer.parseInt(path.substring("/close/".length()));
                session.close(code, "bye " + code, Callback.NOOP);
            } else if (path.equals("/drop")) {
                session.disconnect();
            }
        }

        @Override
        public void onWebSocketText(String message) {
            if (path.equals("/fragment") && !message.isEmpty()) {
                // Split on code points: Jetty sends each part as UTF-8 of its own.
                int[] cps = message.codePoints().toArray();
                int step = Math.max(1, (cps.length + 2) / 3);
                for (int i = 0; i < cps.length; i += step) {
                    String part = new String(cps, i, Math.min(step, cps.length - i));
                    session.sendPartialText(part, i + step >= cps.length, Callback.NOOP);
                }
            } else {
                session.sendText(message, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            if (path.equals("/fragment") && copy.hasRemaining()) {
                int step = Math.max(1, (copy.remaining() + 2) / 3);
                for (int at = 0; at < copy.limit(); at += step) {
                    ByteBuffer part = copy.slice(at, Math.min(step, copy.limit() - at));
                    session.sendPartialBinary(part, at + step >= copy.limit(), Callback.NOOP);
                }
            } else {
                session.sendBinary(copy, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketPong(ByteBuffer payload) {
            session.sendText("pong:" + StandardCharsets.UTF_8.decode(payload), Callback.NOOP);
        }
    }
}
