package dev.duplex.benchmarks.servers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The Java-WebSocket 1.5 echo server of the comparison: the library's selector thread with
 * its default decoder threads, Nagle off like the others, text back as text and binary as
 * binary.
 */
public final class JavaWebSocketEchoServer extends WebSocketServer {
    private JavaWebSocketEchoServer(int port) {
        super(new InetSocketAddress(port));
        setTcpNoDelay(true);
        setReuseAddr(true);
    }

    public static void main(String[] args) {
        EchoServerArgs a = EchoServerArgs.parse(args);
        JavaWebSocketEchoServer server = new JavaWebSocketEchoServer(a.port());
        server.start();
    }

    @Override
    public void onStart() {
        EchoServerArgs.announce("java-websocket", getPort());
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        // Nothing to set up.
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        conn.send(message);
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        conn.send(message);
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        // Nothing to clean up.
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        // A failed connection closes itself; the generator counts the error.
    }
}
