package dev.duplex.cli;

import dev.duplex.HttpEndpoint;
import dev.duplex.ServerMetrics;
import dev.duplex.WebSocketMetrics.Side;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.handshake.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code duplex serve --metrics}: the server's {@link ServerMetrics} at {@value #METRICS_PATH}
 * in the Prometheus text exposition format (version 0.0.4), and {@value #HEALTH_PATH}: 200
 * while the server accepts connections, 503 once it is stopping. Both are plain HTTP endpoints
 * on the server's own port, so the server's Host check applies to them as to every request.
 *
 * <p>Labels hold only codes, statuses and fixed words: never a path, a header, a ticket or a
 * payload, whatever the peers send.
 */
final class MetricsEndpoint {
    static final String METRICS_PATH = "/metrics";
    static final String HEALTH_PATH = "/healthz";
    /** What Prometheus asks for and expects back (the text format's media type). */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final AtomicReference<WebSocketServer> server = new AtomicReference<>();

    private MetricsEndpoint() {}

    /** Adds both endpoints; {@link #serving} must name the server before it starts. */
    static MetricsEndpoint install(WebSocketServer.Builder builder) {
        MetricsEndpoint endpoint = new MetricsEndpoint();
        builder.httpEndpoint(METRICS_PATH, endpoint::metrics).httpEndpoint(HEALTH_PATH, endpoint::health);
        return endpoint;
    }

    /** The server whose figures the endpoints give; set once, between build and start. */
    void serving(WebSocketServer built) {
        server.set(built);
    }

    private HttpEndpoint.Response metrics(HttpEndpoint.Request request) {
        if (!isRead(request)) {
            return notAllowed();
        }
        return HttpEndpoint.Response.of(200, CONTENT_TYPE,
                format(server.get().metrics()).getBytes(StandardCharsets.UTF_8));
    }

    HttpEndpoint.Response health(HttpEndpoint.Request request) {
        if (!isRead(request)) {
            return notAllowed();
        }
        return server.get().metrics().accepting()
                ? HttpEndpoint.Response.text(200, "ok\n")
                : HttpEndpoint.Response.text(503, "stopping\n");
    }

    private static boolean isRead(HttpEndpoint.Request request) {
        return request.head().method().equals("GET") || request.head().method().equals("HEAD");
    }

    private static HttpEndpoint.Response notAllowed() {
        return new HttpEndpoint.Response(405, Headers.builder().add("Allow", "GET, HEAD").build(), new byte[0]);
    }

    /** The text exposition of {@code m}: each family with its HELP and TYPE lines. */
    static String format(ServerMetrics m) {
        Exposition out = new Exposition();
        out.family("duplex_up", "gauge", "1 while the server accepts connections, 0 once it is stopping.")
                .sample("", m.accepting() ? 1 : 0);
        out.family("duplex_connections_open", "gauge", "WebSocket connections open now.")
                .sample("", m.openConnections());
        out.family("duplex_handshakes_accepted_total", "counter", "Upgrade requests answered with 101.")
                .sample("", m.handshakesAccepted());
        out.family("duplex_handshakes_refused_total", "counter",
                "Upgrade requests answered with another status, cap refusals included.");
        byStatus(out, m.handshakesRefused());
        out.family("duplex_cap_refusals_total", "counter",
                "Connections refused by a connection cap: 429 per address or user, 503 in all.");
        byStatus(out, m.capRefusals());
        out.family("duplex_tls_handshake_failures_total", "counter", "TLS handshakes that failed.")
                .sample("", m.tlsHandshakeFailures());
        out.family("duplex_messages_total", "counter", "Whole messages received (in) and queued for sending (out).")
                .sample("{direction=\"in\",type=\"text\"}", m.textMessagesIn())
                .sample("{direction=\"in\",type=\"binary\"}", m.binaryMessagesIn())
                .sample("{direction=\"out\",type=\"text\"}", m.textMessagesOut())
                .sample("{direction=\"out\",type=\"binary\"}", m.binaryMessagesOut());
        out.family("duplex_payload_bytes_total", "counter", "Message payload bytes, uncompressed.")
                .sample("{direction=\"in\"}", m.payloadBytesIn())
                .sample("{direction=\"out\"}", m.payloadBytesOut());
        out.family("duplex_wire_bytes_total", "counter",
                "WebSocket bytes read and written after the handshake: frames as sent, headers and control frames included.")
                .sample("{direction=\"in\"}", m.wireBytesIn())
                .sample("{direction=\"out\"}", m.wireBytesOut());
        out.family("duplex_deflate_payload_bytes_total", "counter",
                "Message payload bytes, uncompressed, on connections with permessage-deflate.")
                .sample("{direction=\"in\"}", m.deflatePayloadBytesIn())
                .sample("{direction=\"out\"}", m.deflatePayloadBytesOut());
        out.family("duplex_deflate_wire_bytes_total", "counter",
                "Wire bytes on connections with permessage-deflate: compare with duplex_deflate_payload_bytes_total.")
                .sample("{direction=\"in\"}", m.deflateWireBytesIn())
                .sample("{direction=\"out\"}", m.deflateWireBytesOut());
        out.family("duplex_closes_total", "counter",
                "Connections ended, by close code and by the side that closed first (1006: no close frame).");
        for (Side side : Side.values()) {
            String name = side == Side.LOCAL ? "local" : "remote";
            m.closes(side).forEach((code, n) -> out.sample("{code=\"" + code + "\",side=\"" + name + "\"}", n));
        }
        out.family("duplex_pings_sent_total", "counter", "Pings sent, keepalive and application.")
                .sample("", m.pingsSent());
        out.family("duplex_pongs_missed_total", "counter", "Keepalive pings whose pong did not come in time (closed with 1011).")
                .sample("", m.pongsMissed());
        out.family("duplex_outbound_queued_bytes", "gauge", "Bytes queued for writing on all open connections.")
                .sample("", m.queuedBytes());
        out.family("duplex_outbound_queued_bytes_max", "gauge", "The most bytes queued on any one open connection.")
                .sample("", m.maxQueuedBytes());
        out.family("duplex_rate_limit_pauses_total", "counter", "Times a connection's reading paused for a rate limit.")
                .sample("", m.rateLimitPauses());
        out.family("duplex_rate_limit_closes_total", "counter", "Connections closed with 1008 for staying over a rate limit.")
                .sample("", m.rateLimitCloses());
        return out.toString();
    }

    private static void byStatus(Exposition out, Map<Integer, Long> counts) {
        counts.forEach((status, n) -> out.sample("{status=\"" + status + "\"}", n));
    }

    /** Builds the text: a family's lines, then its samples, under the last family's name. */
    private static final class Exposition {
        private final StringBuilder text = new StringBuilder(4096);
        private String name;

        Exposition family(String family, String type, String help) {
            name = family;
            text.append("# HELP ").append(family).append(' ').append(help).append('\n');
            text.append("# TYPE ").append(family).append(' ').append(type).append('\n');
            return this;
        }

        Exposition sample(String labels, long value) {
            text.append(name).append(labels).append(' ').append(value).append('\n');
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
