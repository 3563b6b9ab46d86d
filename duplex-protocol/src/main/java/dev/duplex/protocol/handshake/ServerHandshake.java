package dev.duplex.protocol.handshake;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The server side of the opening handshake (RFC 6455 4.2): decides whether a parsed request is a
 * WebSocket upgrade this server accepts, and builds the answer.
 *
 * <p>Checks run in this order and the first failure decides the answer; every refusal carries
 * {@code Connection: close} (row A18):
 * <ol>
 *   <li>method GET, else 405 with {@code Allow: GET} (RFC 6455 4.2.1 item 1; row A1);
 *   <li>version HTTP/1.1, else 505 (item 1; row A2);
 *   <li>exactly one valid {@code Host}, else 400 (item 2; RFC 9112 3.2; row A3); an
 *       absolute-form target must name the same authority, else 400 (RFC 9112 3.2.2);
 *   <li>no body: a {@code Content-Length} other than 0, or any {@code Transfer-Encoding}, is
 *       400, since bytes after the head belong to the frame decoder (row A17);
 *   <li>{@code Upgrade} lists {@code websocket}, else 426 with {@code Upgrade: websocket}
 *       (item 3, RFC 9110 15.5.22; row A4); 400 when the field is malformed;
 *   <li>{@code Connection} lists {@code upgrade}, else 400 (item 4; row A5);
 *   <li>exactly one {@code Sec-WebSocket-Version} of {@code 13}, else 426 with
 *       {@code Sec-WebSocket-Version: 13} (item 6, RFC 6455 4.4; row A7);
 *   <li>exactly one valid {@code Sec-WebSocket-Key}, else 400 (item 5; row A6);
 *   <li>the {@code Origin} allowed by the policy, else 403 (RFC 6455 10.2; rows A8, A9);
 *   <li>well-formed {@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions}, else
 *       400 (rows A12, A13); the extension negotiator may also refuse with 400.
 * </ol>
 *
 * <p>The path is not checked here: routing, and answering 404 with
 * {@link HttpResponse#error(int, Headers)} (row A11), is the server's. Stateless and thread-safe.
 */
public final class ServerHandshake {
    private ServerHandshake() {}

    /**
     * Answers one upgrade request.
     *
     * @return {@link HandshakeOutcome.Accepted} with the 101, or {@link HandshakeOutcome.Rejected}
     *     with the error head
     * @throws IllegalStateException if the options' extension negotiator accepts an extension the
     *     client did not offer, a bug in the negotiator that RFC 6455 9.1 forbids sending
     */
    public static HandshakeOutcome negotiate(HttpRequest request, ServerHandshakeOptions options) {
        try {
            return accept(request, options);
        } catch (HandshakeException e) {
            return new HandshakeOutcome.Rejected(e.toResponse(), e.getMessage());
        }
    }

    private static HandshakeOutcome accept(HttpRequest request, ServerHandshakeOptions options) {
        Headers headers = request.headers();
        if (!request.method().equals("GET")) {
            throw new HandshakeException(405, "method is not GET", Headers.builder().add("Allow", "GET").build());
        }
        if (!request.version().equals("HTTP/1.1")) {
            throw new HandshakeException(505, "HTTP version is not 1.1");
        }
        checkHost(request);
        checkNoBody(headers);
        checkUpgrade(headers);
        if (!HeaderTokens.containsIgnoreCase(HeaderTokens.tokens(headers, "Connection"), "upgrade")) {
            throw new HandshakeException(400, "Connection does not list upgrade");
        }
        List<String> versions = headers.all("Sec-WebSocket-Version");
        if (versions.size() != 1 || !versions.get(0).equals("13")) {
            throw new HandshakeException(426, "Sec-WebSocket-Version is not exactly 13",
                    Headers.builder().add("Sec-WebSocket-Version", "13").build());
        }
        List<String> keys = headers.all("Sec-WebSocket-Key");
        if (keys.size() != 1 || !AcceptKey.isValidKey(keys.get(0))) {
            throw new HandshakeException(400, "Sec-WebSocket-Key missing, repeated or not 16 bytes of base64");
        }
        if (!options.originPolicy().allows(request)) {
            throw new HandshakeException(403, "Origin refused by the origin policy");
        }
        List<String> offeredProtocols = HeaderTokens.subprotocols(headers);
        List<ExtensionOffer> offers = HeaderTokens.extensions(headers);
        List<ExtensionOffer> accepted = offers.isEmpty()
                ? List.of()
                : List.copyOf(options.extensions().negotiate(List.copyOf(offers)));
        for (ExtensionOffer element : accepted) {
            if (offers.stream().noneMatch(o -> o.name().equals(element.name()))) {
                throw new IllegalStateException("extension negotiator accepted " + element.name()
                        + ", which the client did not offer");
            }
        }
        String subprotocol = selectSubprotocol(options.subprotocols(), offeredProtocols);

        // RFC 6455 4.2.2 item 5
        Headers.Builder response = Headers.builder()
                .add("Upgrade", "websocket")
                .add("Connection", "Upgrade")
                .add("Sec-WebSocket-Accept", AcceptKey.accept(keys.get(0)));
        if (subprotocol != null) {
            response.add("Sec-WebSocket-Protocol", subprotocol);
        }
        if (!accepted.isEmpty()) {
            response.add("Sec-WebSocket-Extensions", ExtensionOffer.toHeaderValue(accepted));
        }
        HttpResponse switching = new HttpResponse(101, "Switching Protocols", response.build());
        return new HandshakeOutcome.Accepted(switching, subprotocol, accepted);
    }

    /** RFC 9112 3.2: a server MUST answer 400 to a missing, repeated or invalid Host. */
    private static void checkHost(HttpRequest request) {
        List<String> hosts = request.headers().all("Host");
        if (hosts.size() != 1) {
            throw new HandshakeException(400, "Host missing or repeated");
        }
        Authority host = Authority.parse(hosts.get(0));
        if (host == null) {
            throw new HandshakeException(400, "Host is not host[:port]");
        }
        String target = request.target();
        if (target.startsWith("/")) {
            return;
        }
        // RFC 6455 4.2.1 item 1 admits an absolute http(s) URI, whose authority RFC 9112 3.2.2
        // puts above Host. Requiring the two to agree keeps the origin check on one authority.
        int sep = target.indexOf("://");
        String scheme = sep > 0 ? target.substring(0, sep).toLowerCase(Locale.ROOT) : "";
        if (SerialisedOrigin.defaultPort(scheme) < 0) {
            throw new HandshakeException(400, "request target is neither origin-form nor an absolute http(s) or ws(s) URI");
        }
        int end = sep + 3;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') end++;
        if (!host.equals(Authority.parse(target.substring(sep + 3, end)))) {
            throw new HandshakeException(400, "request target names another authority than Host");
        }
    }

    /** Row A17: the upgrade GET has no body; the bytes after its head are frames. */
    private static void checkNoBody(Headers headers) {
        List<String> lengths = headers.all("Content-Length");
        if (lengths.size() > 1 || (lengths.size() == 1 && !lengths.get(0).equals("0"))) {
            throw new HandshakeException(400, "upgrade request has a body (Content-Length)");
        }
        if (headers.contains("Transfer-Encoding")) {
            throw new HandshakeException(400, "upgrade request has a body (Transfer-Encoding)");
        }
    }

    private static void checkUpgrade(Headers headers) {
        List<String> protocols = new ArrayList<>();
        for (String value : headers.all("Upgrade")) {
            protocols.addAll(HeaderTokens.protocolList(value));
        }
        if (!HeaderTokens.containsIgnoreCase(protocols, "websocket")) {
            throw new HandshakeException(426, "Upgrade does not list websocket",
                    Headers.builder().add("Upgrade", "websocket").build());
        }
    }

    /** RFC 6455 4.2.2 item 5.5: the server's first preference that the client offered, or null. */
    private static String selectSubprotocol(List<String> preferences, List<String> offered) {
        for (String p : preferences) {
            if (offered.contains(p)) return p; // exact: RFC 6455 11.3.4 names are compared as sent
        }
        return null;
    }
}
