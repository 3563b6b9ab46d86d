package dev.duplex.protocol.handshake;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The client side of the opening handshake (RFC 6455 4.1): the request to send, and the
 * validation of the server's answer. One instance serves one connection attempt; it is immutable
 * and may be used from any thread.
 *
 * <p>Validation is strict (rows B1–B4): anything but a 101 fails, and so does a 101 whose
 * {@code Upgrade}, {@code Connection} or {@code Sec-WebSocket-Accept} is wrong, or that accepts an
 * extension or subprotocol the client did not offer. Failures throw {@link HandshakeException}
 * carrying the response head, so the caller can report the status or look at a redirect's
 * {@link HandshakeException#location()}. Following redirects is the transport's decision.
 */
public final class ClientHandshake {
    /** Fields the handshake writes itself, or that would give the GET a body (row A17). */
    private static final Set<String> RESERVED = Set.of(
            "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
            "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-accept", "origin",
            "content-length", "transfer-encoding");

    private final String resourceName;
    private final String host;
    private final String key;
    private final List<String> subprotocols;
    private final List<ExtensionOffer> extensionOffers;
    private final Headers extraHeaders;
    private final String origin;

    /**
     * A handshake for one connection attempt.
     *
     * @param uri the {@code ws} or {@code wss} URI to connect to (RFC 6455 3), with an ASCII host
     *     (convert an internationalised name with {@link java.net.IDN#toASCII(String)} first), and
     *     no user information or fragment
     * @param key a fresh {@code Sec-WebSocket-Key}, from {@link AcceptKey#newKey}
     * @param subprotocols the subprotocols to offer, most preferred first; distinct tokens
     * @param extensionOffers the extension elements to offer, in order of preference
     * @param extraHeaders further fields for the request (cookies, authorization); they may not
     *     set any field the handshake writes itself ({@code Origin} included: pass it as
     *     {@code origin}), nor give the request a body
     * @param origin the {@code Origin} to send, or {@code null} to send none (non-browser clients
     *     need not send one, RFC 6455 4.1 item 8)
     * @throws IllegalArgumentException if any of these breaks the rules above
     */
    public ClientHandshake(URI uri, String key, List<String> subprotocols, List<ExtensionOffer> extensionOffers,
            Headers extraHeaders, String origin) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("WebSocket URI scheme must be ws or wss");
        }
        // Percent-encodes any non-ASCII path or query character, so the request line is ASCII.
        URI ascii = URI.create(uri.toASCIIString());
        if (ascii.isOpaque() || ascii.getHost() == null) {
            throw new IllegalArgumentException("WebSocket URI needs an ASCII host");
        }
        if (ascii.getRawUserInfo() != null) {
            throw new IllegalArgumentException("WebSocket URI may not hold user information");
        }
        if (ascii.getRawFragment() != null) {
            throw new IllegalArgumentException("WebSocket URI may not have a fragment (RFC 6455 3)");
        }
        String path = ascii.getRawPath() == null || ascii.getRawPath().isEmpty() ? "/" : ascii.getRawPath();
        this.resourceName = ascii.getRawQuery() == null ? path : path + "?" + ascii.getRawQuery();
        int port = ascii.getPort();
        // RFC 6455 4.1 item 4: the port is sent unless it is the scheme's default.
        this.host = port < 0 || port == SerialisedOrigin.defaultPort(scheme) ? ascii.getHost() : ascii.getHost() + ":" + port;

        if (!AcceptKey.isValidKey(key)) {
            throw new IllegalArgumentException("Sec-WebSocket-Key must be base64 of 16 bytes");
        }
        this.key = key;

        this.subprotocols = List.copyOf(subprotocols);
        Set<String> distinct = new HashSet<>();
        for (String p : this.subprotocols) {
            // RFC 6455 4.1 item 10: tokens, each unique
            if (!HttpSyntax.isToken(p) || !distinct.add(p)) {
                throw new IllegalArgumentException("subprotocols must be distinct tokens");
            }
        }
        this.extensionOffers = List.copyOf(extensionOffers);

        for (Headers.Field f : extraHeaders) {
            if (RESERVED.contains(f.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(f.name() + " is written by the handshake itself");
            }
        }
        this.extraHeaders = extraHeaders;
        if (origin != null) {
            new Headers.Field("Origin", origin); // validates the value
        }
        this.origin = origin;
    }

    /** The {@code Sec-WebSocket-Key} this handshake sends. */
    public String key() {
        return key;
    }

    /**
     * The request head (RFC 6455 4.1): {@code GET resource HTTP/1.1}, {@code Host},
     * {@code Upgrade: websocket}, {@code Connection: Upgrade}, {@code Sec-WebSocket-Key},
     * {@code Sec-WebSocket-Version: 13}, then {@code Sec-WebSocket-Protocol},
     * {@code Sec-WebSocket-Extensions} and {@code Origin} when there are any, then the extra
     * fields, and the blank line. ISO-8859-1, CRLF line ends.
     */
    public byte[] requestBytes() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("GET ").append(resourceName).append(" HTTP/1.1\r\n");
        field(sb, "Host", host);
        field(sb, "Upgrade", "websocket");
        field(sb, "Connection", "Upgrade");
        field(sb, "Sec-WebSocket-Key", key);
        field(sb, "Sec-WebSocket-Version", "13");
        if (!subprotocols.isEmpty()) {
            field(sb, "Sec-WebSocket-Protocol", String.join(", ", subprotocols));
        }
        if (!extensionOffers.isEmpty()) {
            field(sb, "Sec-WebSocket-Extensions", ExtensionOffer.toHeaderValue(extensionOffers));
        }
        if (origin != null) {
            field(sb, "Origin", origin);
        }
        for (Headers.Field f : extraHeaders) {
            field(sb, f.name(), f.value());
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Checks the server's response head (RFC 6455 4.1, the steps after the request is sent).
     *
     * @return the subprotocol and extensions the server chose. The caller still checks the
     *     extensions' parameters against what it offered (row B3) before using them.
     * @throws HandshakeException carrying {@code response} if the status is not 101 (row B1),
     *     {@code Upgrade} is not exactly {@code websocket}, {@code Connection} lacks
     *     {@code upgrade}, {@code Sec-WebSocket-Accept} is missing, repeated or wrong (row B2),
     *     an extension was not offered or is accepted twice (row B3), or the subprotocol was not
     *     offered or several are named (row B4)
     */
    public Result validate(HttpResponse response) {
        Headers h = response.headers();
        if (response.status() != 101) {
            throw new HandshakeException("server answered " + response.status() + " instead of 101", response);
        }
        List<String> upgrades = h.all("Upgrade");
        if (upgrades.size() != 1 || !upgrades.get(0).equalsIgnoreCase("websocket")) {
            throw new HandshakeException("Upgrade is not exactly websocket", response);
        }
        if (!HeaderTokens.containsIgnoreCase(parsed(response, () -> HeaderTokens.tokens(h, "Connection")), "upgrade")) {
            throw new HandshakeException("Connection does not list upgrade", response);
        }
        List<String> accepts = h.all("Sec-WebSocket-Accept");
        if (accepts.size() != 1 || !accepts.get(0).equals(AcceptKey.accept(key))) {
            throw new HandshakeException("Sec-WebSocket-Accept missing, repeated or wrong", response);
        }

        List<ExtensionOffer> accepted = parsed(response, () -> HeaderTokens.extensions(h));
        Set<String> seen = new HashSet<>();
        for (ExtensionOffer element : accepted) {
            // RFC 6455 4.1 step 5, 9.1: only what was offered, and each extension once
            if (extensionOffers.stream().noneMatch(o -> o.name().equals(element.name()))) {
                throw new HandshakeException("server accepted an extension that was not offered", response);
            }
            if (!seen.add(element.name())) {
                throw new HandshakeException("server accepted an extension twice", response);
            }
        }

        List<String> protocols = h.all("Sec-WebSocket-Protocol");
        String subprotocol = null;
        if (protocols.size() > 1) {
            throw new HandshakeException("server named several subprotocols", response);
        }
        if (protocols.size() == 1) {
            // RFC 6455 4.1 step 6, 4.2.2 item 5.5: one token, one that was offered
            subprotocol = protocols.get(0);
            if (!subprotocols.contains(subprotocol)) {
                throw new HandshakeException("server chose a subprotocol that was not offered", response);
            }
        }
        return new Result(subprotocol, accepted, response);
    }

    /**
     * What the server agreed to.
     *
     * @param subprotocol the subprotocol in use, or {@code null} for none
     * @param extensions the extension elements the server accepted, in the order they apply
     * @param response the server's 101 head
     */
    public record Result(String subprotocol, List<ExtensionOffer> extensions, HttpResponse response) {
        /** Copies the extension list. */
        public Result {
            extensions = List.copyOf(extensions);
            Objects.requireNonNull(response, "response");
        }
    }

    /** Runs a header parser, attaching the response to a 400 it throws. */
    private static <T> T parsed(HttpResponse response, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (HandshakeException e) {
            throw new HandshakeException(e.getMessage(), response);
        }
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(name).append(": ").append(value).append("\r\n");
    }
}
