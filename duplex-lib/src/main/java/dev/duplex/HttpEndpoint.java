package dev.duplex;

import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A small plain-HTTP endpoint next to the WebSocket routes, for what a page needs before it
 * opens a socket, such as a login that hands out tickets ({@link dev.duplex.auth.TicketIssuer}).
 * Deliberately minimal: one request per connection, a body of at most
 * {@value #MAX_BODY} bytes given with {@code Content-Length}, one response, then the connection
 * closes. It is not a web framework.
 *
 * <p>Runs on the connection's virtual thread under the handshake deadline; may block. An
 * exception becomes a 500, logged without the request's values.
 */
@FunctionalInterface
public interface HttpEndpoint {

    /** The largest request body accepted; a larger one is answered with 413. */
    int MAX_BODY = 8 * 1024;

    Response handle(Request request);

    /**
     * One request.
     *
     * @param head the request line and header fields
     * @param body the body, empty when there is none
     * @param remoteAddress the client's address
     */
    record Request(HttpRequest head, byte[] body, InetSocketAddress remoteAddress) {
        public Request {
            Objects.requireNonNull(head, "head");
            body = body.clone();
            Objects.requireNonNull(remoteAddress, "remoteAddress");
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        /** Never the body or header values, which may hold passwords. */
        @Override
        public String toString() {
            return "Request[" + head + ", " + body.length + " bytes from " + remoteAddress + "]";
        }
    }

    /**
     * One response. {@code Content-Length}, {@code Connection: close},
     * {@code Cache-Control: no-store} and {@code X-Content-Type-Options: nosniff} are added.
     *
     * @param status the status code
     * @param headers extra header fields, such as {@code Content-Type} or {@code WWW-Authenticate}
     * @param body the body
     */
    record Response(int status, Headers headers, byte[] body) {
        public Response {
            Objects.requireNonNull(headers, "headers");
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        /** A response with a body of this media type. */
        public static Response of(int status, String contentType, byte[] body) {
            return new Response(status, Headers.builder().add("Content-Type", contentType).build(), body);
        }

        /** A plain-text response. */
        public static Response text(int status, String text) {
            return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }

        /** This response with one more header field. */
        public Response withHeader(String name, String value) {
            return new Response(status, headers.toBuilder().add(name, value).build(), body);
        }
    }
}
