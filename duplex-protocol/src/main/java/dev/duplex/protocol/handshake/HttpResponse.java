package dev.duplex.protocol.handshake;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP/1.1 response head: the status line and the header fields, with no body. A server
 * builds one to answer the upgrade request (the 101, or an error from {@link #error}); a client
 * receives one from {@link HttpHeadParser#forResponses}.
 *
 * @param status the three-digit status code
 * @param reason the reason phrase, possibly empty; informational only (RFC 9112 4)
 * @param headers the header fields
 */
public record HttpResponse(int status, String reason, Headers headers) {

    /**
     * Checks that the head can be written out as it is.
     *
     * @throws IllegalArgumentException if the status is not three digits or the reason holds a
     *     character that may not appear in a status line (CR and LF above all)
     */
    public HttpResponse {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be three digits");
        }
        // RFC 9112 4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
        if (!HttpSyntax.isFieldValue(reason)) {
            throw new IllegalArgumentException("reason phrase holds a forbidden character");
        }
    }

    /**
     * An error answer to an upgrade request: {@code status} with its usual reason phrase, the
     * {@code extra} header fields, then {@code Connection: close} and {@code Content-Length: 0}.
     * Every answer other than 101 closes the connection (row A18), and the empty body lets the
     * peer see the end of the response without waiting for the close.
     *
     * <p>Usable for the server's own refusals too: 404 for an unknown path (row A11), 401 or 403
     * for a bad ticket (row A10).
     *
     * @throws IllegalArgumentException if {@code extra} sets {@code Connection},
     *     {@code Content-Length} or {@code Transfer-Encoding}, which this method owns, or the
     *     status is 101
     */
    public static HttpResponse error(int status, Headers extra) {
        if (status == 101) {
            throw new IllegalArgumentException("101 is not an error");
        }
        for (String owned : new String[] {"Connection", "Content-Length", "Transfer-Encoding"}) {
            if (extra.contains(owned)) {
                throw new IllegalArgumentException(owned + " is set by HttpResponse.error itself");
            }
        }
        Headers headers = extra.toBuilder()
                .add("Connection", "close")
                .add("Content-Length", "0")
                .build();
        return new HttpResponse(status, reasonPhrase(status), headers);
    }

    /** {@link #error(int, Headers)} with no extra header fields. */
    public static HttpResponse error(int status) {
        return error(status, Headers.empty());
    }

    /**
     * The head as it goes on the wire: {@code HTTP/1.1 status reason}, the fields, a blank line,
     * each line ending in CRLF, in ISO-8859-1 (RFC 9112 2.2, RFC 9110 5.5).
     */
    public byte[] toBytes() {
        StringBuilder sb = new StringBuilder(64 + 32 * headers.size());
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        for (Headers.Field f : headers) {
            sb.append(f.name()).append(": ").append(f.value()).append("\r\n");
        }
        sb.append("\r\n");
        // Safe: Headers and the constructor admit only characters up to U+00FF.
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Where a redirect points: for a 3xx response with exactly one {@code Location} field that
     * parses as a URI reference, that reference; otherwise empty. It may be relative; resolve it
     * against the request's URI (RFC 9110 10.2.2). Whether to follow it, and what credentials to
     * drop when it crosses origins, is the transport's decision (row B1).
     */
    public Optional<URI> location() {
        if (status < 300 || status > 399 || headers.count("Location") != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new URI(headers.first("Location").orElseThrow()));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** The status and reason and the field names; never the values, which may be secrets. */
    @Override
    public String toString() {
        return "HttpResponse[" + status + " " + reason + ", " + headers + "]";
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 421 -> "Misdirected Request";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> switch (status / 100) {
                case 3 -> "Redirect";
                case 4 -> "Client Error";
                case 5 -> "Server Error";
                default -> "Status";
            };
        };
    }
}
