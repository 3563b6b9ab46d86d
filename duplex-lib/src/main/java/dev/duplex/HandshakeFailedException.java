package dev.duplex;

import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * The server's answer to the opening handshake was not a valid 101 (rows B1–B4): another
 * status, a wrong {@code Upgrade}, {@code Connection} or {@code Sec-WebSocket-Accept}, a
 * subprotocol or extension that was not offered, or a head that could not be parsed at all.
 * Carries the status and the response head, so a caller can tell a 401 from a 503 or read a
 * redirect's {@code Location}.
 *
 * <p>The message names the rule that failed, never a header's value, which may be a secret.
 */
public final class HandshakeFailedException extends IOException {
    /** {@link #status()} when no status line could be read. */
    public static final int NO_STATUS = -1;

    private final int status;
    private final transient HttpResponse response;

    /**
     * @param message what went wrong
     * @param response the server's response head, or null when none could be parsed
     */
    public HandshakeFailedException(String message, HttpResponse response) {
        super(message);
        this.response = response;
        this.status = response == null ? NO_STATUS : response.status();
    }

    /** The HTTP status the server answered with (101 when a 101 failed validation), or {@link #NO_STATUS}. */
    public int status() {
        return status;
    }

    /** The server's response head, when one could be parsed. */
    public Optional<HttpResponse> response() {
        return Optional.ofNullable(response);
    }

    /** The reason phrase the server sent, empty when there was none. */
    public String reasonPhrase() {
        return response == null ? "" : response.reason();
    }

    /** The response's header fields, empty when there was no head. */
    public Headers headers() {
        return response == null ? Headers.empty() : response.headers();
    }

    /** Where a 3xx answer points, when it named one place. */
    public Optional<URI> location() {
        return response().flatMap(HttpResponse::location);
    }
}
