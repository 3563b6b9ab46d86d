package dev.duplex.compliance.deflate;

import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.extension.PerMessageDeflate;
import java.time.Duration;

/** Servers for the permessage-deflate suites: loopback, port 0, keepalive off, short timeouts. */
final class DeflateServers {
    static final String ECHO = "/echo";

    /** Room for the 1 MiB messages the suites send, and for their echoes queued whole. */
    static final ConnectionOptions OPTIONS = ConnectionOptions.builder()
            .maxMessageSize(2 << 20)
            .outboundHardLimit(16 << 20)
            .pingInterval(Duration.ZERO)
            .closeTimeout(Duration.ofSeconds(3))
            .build();

    /** Compression on with threshold 0, so even "Hello" is compressed as in RFC 7692 7.2.3. */
    static final CompressionOptions EVERY_MESSAGE = CompressionOptions.ENABLED
            .withDeflate(PerMessageDeflate.Config.DEFAULTS.withThreshold(0));

    private DeflateServers() {}

    /** An echo server at {@link #ECHO} with these compression options. */
    static WebSocketServer echo(CompressionOptions compression) {
        return start(compression, OPTIONS, ECHO, (socket, message) -> socket.send(message));
    }

    static WebSocketServer start(CompressionOptions compression, ConnectionOptions options, String path,
                                 WebSocketHandler handler) {
        return WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .compression(compression)
                .connectionOptions(options)
                .route(path, handler)
                .build()
                .start();
    }
}
