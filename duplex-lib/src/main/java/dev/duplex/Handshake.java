package dev.duplex;

import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.List;
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
 * @param extensions the extensions agreed on, as the 101's {@code Sec-WebSocket-Extensions}
 *     named them, in the order they apply; empty when none was, and the messages go as they are.
 *     On a client, {@code permessage-deflate} here means its messages may be compressed
 */
public record Handshake(HttpRequest request, InetSocketAddress remoteAddress, String subprotocol,
                        Map<String, Object> attributes, Principal principal, List<ExtensionOffer> extensions) {

    public Handshake {
        attributes = Map.copyOf(attributes);
        extensions = List.copyOf(extensions);
    }

    /** A handshake that agreed on no extension. */
    public Handshake(HttpRequest request, InetSocketAddress remoteAddress, String subprotocol,
                     Map<String, Object> attributes, Principal principal) {
        this(request, remoteAddress, subprotocol, attributes, principal, List.of());
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

    /** The agreed extension with this name, such as {@code permessage-deflate}, if there is one. */
    public Optional<ExtensionOffer> extension(String name) {
        return extensions.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The authenticated principal, if an interceptor attached one. */
    public Optional<Principal> authenticatedPrincipal() {
        return Optional.ofNullable(principal);
    }
}
