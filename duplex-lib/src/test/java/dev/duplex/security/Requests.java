package dev.duplex.security;

import dev.duplex.HandshakeRequest;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.net.InetSocketAddress;

/** Upgrade requests as an interceptor sees them, built by hand. */
final class Requests {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 50000);

    private Requests() {}

    /** GET {@code target} with these extra fields, from loopback, no TLS, no subprotocol chosen. */
    static HandshakeRequest upgrade(String target, String... nameValues) {
        return upgradeSelecting(target, null, nameValues);
    }

    /** The same, with {@code selected} as the subprotocol the route picked. */
    static HandshakeRequest upgradeSelecting(String target, String selected, String... nameValues) {
        Headers.Builder h = Headers.builder().add("Host", "127.0.0.1").add("Upgrade", "websocket");
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return new HandshakeRequest(new HttpRequest("GET", target, "HTTP/1.1", h.build()), LOOPBACK, null, selected);
    }
}
