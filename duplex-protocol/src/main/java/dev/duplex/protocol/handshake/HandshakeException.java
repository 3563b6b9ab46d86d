package dev.duplex.protocol.handshake;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The opening handshake failed (RFC 6455 4). The one exception type of this package.
 *
 * <p>On a server it carries the HTTP status to answer with and any extra header fields that
 * answer needs ({@code Allow}, {@code Upgrade}, {@code Sec-WebSocket-Version});
 * {@link #toResponse()} builds that answer, which always closes the connection (row A18).
 *
 * <p>On a client it carries the server's response head when there was one: {@link #status()} is
 * then the status the server sent (101 when a 101 failed validation). When the server's head
 * could not be parsed at all, {@link #response()} is empty and {@link #status()} is the status
 * this side would have answered such a head with (400 malformed, 414 or 431 too large, 505 wrong
 * version); it is never sent anywhere.
 *
 * <p>Messages name the rule that failed, never a header's value: values may be secrets.
 */
public final class HandshakeException extends RuntimeException {
    private final int status;
    private final Headers responseHeaders;
    private final HttpResponse response;

    /** A failure answered with {@code status} and no extra header fields. */
    public HandshakeException(int status, String message) {
        this(status, message, Headers.empty());
    }

    /** A failure answered with {@code status} and these extra header fields. */
    public HandshakeException(int status, String message, Headers responseHeaders) {
        super(message, null, false, false);
        this.status = status;
        this.responseHeaders = Objects.requireNonNull(responseHeaders, "responseHeaders");
        this.response = null;
    }

    /** A client's failure on the server's {@code response}; the status is the response's. */
    public HandshakeException(String message, HttpResponse response) {
        super(message, null, false, false);
        this.response = Objects.requireNonNull(response, "response");
        this.status = response.status();
        this.responseHeaders = Headers.empty();
    }

    /** The HTTP status: the one to answer with, or on a client the one received. */
    public int status() {
        return status;
    }

    /** Extra header fields for the error answer (empty on a client). */
    public Headers responseHeaders() {
        return responseHeaders;
    }

    /** On a client, the response head the server sent; empty on a server or when unparseable. */
    public Optional<HttpResponse> response() {
        return Optional.ofNullable(response);
    }

    /**
     * On a client, where a 3xx response redirects to; see {@link HttpResponse#location()}.
     * Following it is the transport's decision (row B1: off by default).
     */
    public Optional<URI> location() {
        return response().flatMap(HttpResponse::location);
    }

    /**
     * The answer a server sends for this failure: the status, the extra header fields,
     * {@code Connection: close} and {@code Content-Length: 0}.
     */
    public HttpResponse toResponse() {
        return HttpResponse.error(status, responseHeaders);
    }
}
