package dev.duplex;

import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.Map;
import java.util.Optional;

/**
 * What the opening handshake settled, for the handler to read.
 *
 * @param request the client's upgrade request: path, query and headers
 * @param remoteAddress the peer's address
 * @param subprotocol the subprotocol agreed on, or null when none was
 * @param attributes what a {@link HandshakeInterceptor} attached
 * @param principal who a {@link HandshakeInterceptor} found the client to be, or null when
 *     none authenticated it
 */
public record Handshake(HttpRequest request, InetSocketAddress remoteAddress, String subprotocol,
                        Map<String, Object> attributes, Principal principal) {

    public Handshake {
        attributes = Map.copyOf(attributes);
    }

    public Handshake(HttpRequest request, InetSocketAddress remoteAddress, String subprotocol,
                     Map<String, Object> attributes) {
        this(request, remoteAddress, subprotocol, attributes, null);
    }

    public Handshake(HttpRequest request, InetSocketAddress remoteAddress, String subprotocol) {
        this(request, remoteAddress, subprotocol, Map.of(), null);
    }

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

    /** The authenticated principal, if an interceptor attached one. */
    public Optional<Principal> authenticatedPrincipal() {
        return Optional.ofNullable(principal);
    }
}
