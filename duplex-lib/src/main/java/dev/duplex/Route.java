package dev.duplex;

import java.util.List;
import java.util.Objects;

/**
 * What a server does at one path: the handler, the subprotocols it speaks there, and the
 * connection options for connections made there.
 *
 * @param handler the handler for connections at this path
 * @param subprotocols the subprotocols spoken here, in the server's order of preference; the
 *     first that the client also offers is chosen, and none is chosen when there is no overlap
 * @param options the options for connections at this path, or null for the server's
 */
public record Route(WebSocketHandler handler, List<String> subprotocols, ConnectionOptions options) {
    public Route {
        Objects.requireNonNull(handler, "handler");
        subprotocols = List.copyOf(subprotocols);
    }
}
