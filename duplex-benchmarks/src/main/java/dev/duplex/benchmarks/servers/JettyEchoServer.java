package dev.duplex.benchmarks.servers;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The Jetty 12 echo server of the comparison, on Jetty's own WebSocket API (no servlet
 * container): default thread pool, one listener per connection, text sent back as text and
 * binary as binary. Idle timeouts are raised so that the idle scenario is not cut short.
 */
public final class JettyEchoServer {
    private JettyEchoServer() {}

    public static void main(String[] args) throws Exception {
        EchoServerArgs a = EchoServerArgs.parse(args);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(a.port());
        connector.setAcceptQueueSize(1024);
        connector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
        server.addConnector(connector);
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(EchoServerArgs.MAX_MESSAGE);
            container.setMaxBinaryMessageSize(EchoServerArgs.MAX_MESSAGE);
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.addMapping(EchoServerArgs.PATH, (request, response, callback) -> new Echo());
        });
        server.setHandler(upgrade);
        server.start();
        EchoServerArgs.announce("jetty", a.port());
        server.join();
    }

    /** Echoes each whole message; Jetty demands the next one after each callback. */
    public static final class Echo extends Session.Listener.AbstractAutoDemanding {
        @Override
        public void onWebSocketText(String message) {
            getSession().sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            // The payload is Jetty's until the callback completes: complete it once it is sent.
            getSession().sendBinary(payload, callback);
        }
    }
}
