package dev.duplex;

import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What the opening handshake settled, for the handler to read.
 *
 * @param request the client's upgrade request: path, query and headers
 * @param remoteAddress the peer's address
 * @param subprotocol the subprotocol agreed on, or null when none was
 */
public record Handshake(HttpRequest request, InetSocketAddress remoteAddress, String subprotocol) {

    /** The request path, without the query. */
    public String path() {
        return request.path();
    }

    /** The raw query string, empty when there is none. */
    public String query() {
        return request.query();
    }

    /** The request's headers. */
    public Headers headers() {
        return request.headers();
    }

    /** The subprotocol agreed on, if any. */
    public Optional<String> selectedSubprotocol() {
        return Optional.ofNullable(subprotocol);
    }
}
