package dev.duplex.benchmarks.servers;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;

/** The Duplex echo server of the comparison: default options but the message size. */
public final class DuplexEchoServer {
    private DuplexEchoServer() {}

    public static void main(String[] args) throws InterruptedException {
        EchoServerArgs a = EchoServerArgs.parse(args);
        WebSocketServer server = WebSocketServer.builder()
                .port(a.port())
                .connectionOptions(ConnectionOptions.builder().maxMessageSize(EchoServerArgs.MAX_MESSAGE).build())
                .route(EchoServerArgs.PATH, new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        socket.send(message);
                    }
                })
                .build()
                .start();
        EchoServerArgs.announce("duplex", server.port());
        Thread.currentThread().join();
    }
}
