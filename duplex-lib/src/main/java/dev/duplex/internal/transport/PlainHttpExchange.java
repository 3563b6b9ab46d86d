package dev.duplex.internal.transport;

import dev.duplex.HttpEndpoint;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One request to an {@link HttpEndpoint}: reads the body that {@code Content-Length} announces
 * (at most {@link HttpEndpoint#MAX_BODY} bytes, under the handshake deadline that is already
 * running), calls the endpoint, and builds the response. Refuses bodies it cannot bound:
 * {@code Transfer-Encoding} gets 411, a length over the limit 413.
 */
final class PlainHttpExchange {
    private static final System.Logger LOG = System.getLogger("dev.duplex");
    /** How much of a body too large to take is read and dropped before the 413. */
    private static final long DISCARD_LIMIT = 64 * 1024;

    private PlainHttpExchange() {}

    /** The whole response to write, or null when the client went away before its body came. */
    static byte[] answer(HttpEndpoint endpoint, HttpRequest request, ByteBuffer leftover, InputStream in,
                         InetSocketAddress remote) throws IOException {
        if (request.headers().contains("Transfer-Encoding")) {
            return HttpResponse.error(411).toBytes();
        }
        List<String> lengths = request.headers().all("Content-Length");
        int length = 0;
        if (lengths.size() > 1) {
            return HttpResponse.error(400).toBytes();
        }
        if (lengths.size() == 1) {
            String value = lengths.get(0);
            if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return HttpResponse.error(400).toBytes();
            }
            length = Integer.parseInt(value);
            if (length > HttpEndpoint.MAX_BODY) {
                // Read (a bounded part of) what was sent first: closing on unread bytes resets
                // the connection, and the client may never see the 413.
                discard(length - leftover.remaining(), in);
                return HttpResponse.error(413).toBytes();
            }
        }
        byte[] body = new byte[length];
        int filled = Math.min(length, leftover.remaining());
        leftover.get(body, 0, filled);
        while (filled < length) {
            int n = in.read(body, filled, length - filled);
            if (n < 0) {
                return null;
            }
            filled += n;
        }
        HttpEndpoint.Response response;
        try {
            response = endpoint.handle(new HttpEndpoint.Request(request, body, remote));
        } catch (RuntimeException e) {
            // The class only: the message may quote what the client sent.
            LOG.log(System.Logger.Level.ERROR, "HTTP endpoint {0} failed: {1}", request.path(), e.getClass().getName());
            return HttpResponse.error(500).toBytes();
        }
        if (response == null) {
            return HttpResponse.error(500).toBytes();
        }
        return toBytes(response, request.method().equals("HEAD"));
    }

    private static void discard(long bytes, InputStream in) throws IOException {
        long left = Math.min(bytes, DISCARD_LIMIT);
        byte[] sink = new byte[4096];
        while (left > 0) {
            int n = in.read(sink, 0, (int) Math.min(sink.length, left));
            if (n < 0) {
                return;
            }
            left -= n;
        }
    }

    private static byte[] toBytes(HttpEndpoint.Response response, boolean headOnly) {
        byte[] body = response.body();
        Headers headers = response.headers().toBuilder()
                .remove("Content-Length").remove("Connection").remove("Transfer-Encoding")
                .add("Content-Length", Integer.toString(body.length))
                .add("Cache-Control", "no-store")
                .add("X-Content-Type-Options", "nosniff")
                .add("Connection", "close")
                .build();
        byte[] head = new HttpResponse(response.status(), reason(response.status()), headers).toBytes();
        if (headOnly) {
            return head;
        }
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            default -> status >= 300 && status != 101 ? HttpResponse.error(status).reason() : "";
        };
    }
}
