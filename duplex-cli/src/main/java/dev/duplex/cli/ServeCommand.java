package dev.duplex.cli;

import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.ServerLimits;
import dev.duplex.TlsOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.handshake.HostPolicy;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code duplex serve}: the demo page at /, an echo endpoint at /echo and a chat room at /chat. */
final class ServeCommand {
    static final Set<String> OPTIONS = Set.of("host", "port", "max-message-size", "max-fragments",
            "handshake-timeout", "allowed-origin", "subprotocol", "compression!",
            "tls-cert", "tls-key", "tls-pkcs12", "tls-password", "tls-client-ca", "tls-client-auth",
            "demo-auth!", "allowed-host", "metrics!", "metrics-port", "log-format",
            LimitFlags.MAX_CONNECTIONS, LimitFlags.MAX_PER_ADDRESS,
            LimitFlags.RATE_LIMIT, LimitFlags.BYTE_RATE_LIMIT, LimitFlags.CONTROL_FRAME_RATE,
            LimitFlags.OUTBOUND_LIMIT, LimitFlags.OUTBOUND_BUDGET, LimitFlags.WRITE_STALL_TIMEOUT);

    private ServeCommand() {}

    static int run(Arguments args, PrintStream out, PrintStream err) {
        if (!args.positional().isEmpty()) {
            throw new Arguments.UsageException("unexpected argument " + args.positional().get(0));
        }
        String logFormat = args.string("log-format", "text");
        if (logFormat.equals("json")) {
            JsonLogFormat.install();
        } else if (!logFormat.equals("text")) {
            throw new Arguments.UsageException("--log-format is text or json, not " + logFormat);
        }
        String host = args.string("host", null);
        int port = (int) args.number("port", 8080, 0, 65535);
        Limits limits = Limits.DEFAULTS
                .withMaxMessageSize(args.number("max-message-size", Limits.DEFAULT_MAX_MESSAGE_SIZE, 0, Integer.MAX_VALUE - 8))
                .withMaxFragments((int) args.number("max-fragments", Limits.DEFAULT_MAX_FRAGMENTS, 1, Integer.MAX_VALUE));
        Duration handshakeTimeout = Duration.ofSeconds(args.number("handshake-timeout", 10, 1, 3600));
        OriginPolicy origins = args.all("allowed-origin").isEmpty()
                ? OriginPolicy.sameOrigin()
                : OriginPolicy.allowing(args.all("allowed-origin"));

        ServerLimits serverLimits = LimitFlags.serverLimits(args);
        WebSocketServer.Builder builder = WebSocketServer.builder()
                .port(port)
                .handshakeTimeout(handshakeTimeout)
                .originPolicy(origins)
                .connectionOptions(LimitFlags.connectionOptions(args, ConnectionOptions.builder().limits(limits)).build())
                .limits(serverLimits)
                .compression(args.flag("compression") ? CompressionOptions.ENABLED : CompressionOptions.DISABLED);
        List<String> hosts = args.all("allowed-host");
        if (hosts.contains("*")) {
            builder.hostPolicy(HostPolicy.any());
        } else {
            try {
                hosts.forEach(builder::allowedHost);
            } catch (IllegalArgumentException e) {
                throw new Arguments.UsageException("--allowed-host: " + e.getMessage());
            }
        }
        demo(builder, args.all("subprotocol"));
        DemoAuth auth = DemoAuth.install(builder, args.flag("demo-auth"), origins);
        // --metrics-port serves them on a port of their own (and implies --metrics); else on the server's.
        boolean ownPort = args.string("metrics-port", null) != null;
        int metricsPort = (int) args.number("metrics-port", 0, 0, 65535);
        WebSocketServer.Builder metricsBuilder = ownPort ? WebSocketServer.builder().port(metricsPort) : builder;
        MetricsEndpoint metrics = args.flag("metrics") || ownPort ? MetricsEndpoint.install(metricsBuilder) : null;
        if (host != null) {
            builder.host(host);
        }
        TlsOptions tls;
        try {
            tls = ServeTls.fromArguments(args);
        } catch (IllegalArgumentException e) {
            err.println("duplex serve: " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("duplex serve: cannot read a TLS file: " + e.getCause());
            return 1;
        }
        if (tls != null) {
            builder.tls(tls);
        }
        String http = tls == null ? "http://" : "https://";
        String ws = tls == null ? "ws://" : "wss://";
        if (ownPort) {
            if (host != null) {
                metricsBuilder.host(host);
            }
            hosts.stream().filter(h -> !h.equals("*")).forEach(metricsBuilder::allowedHost);
            if (hosts.contains("*")) {
                metricsBuilder.hostPolicy(HostPolicy.any());
            }
        }
        WebSocketServer server;
        WebSocketServer metricsServer = null;
        try {
            server = builder.build();
            if (metrics != null) {
                metrics.serving(server);
            }
            server.start();
        } catch (UncheckedIOException e) {
            err.println("duplex serve: cannot listen on " + (host == null ? "*" : host) + ":" + port + ": "
                    + e.getCause().getMessage());
            return 1;
        }
        if (ownPort) {
            try {
                metricsServer = metricsBuilder.build().start();
            } catch (UncheckedIOException e) {
                server.stop(Duration.ofSeconds(1));
                err.println("duplex serve: cannot listen on " + (host == null ? "*" : host) + ":" + metricsPort
                        + " for metrics: " + e.getCause().getMessage());
                return 1;
            }
        }
        WebSocketServer metricsOnly = metricsServer;
        String shown = host == null || host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        out.println("Duplex listening on " + http + shown + ":" + server.port() + "/");
        out.println("  echo endpoint: " + ws + shown + ":" + server.port() + "/echo"
                + (args.flag("compression") ? " (permessage-deflate on)" : ""));
        out.println("  chat room:     " + ws + shown + ":" + server.port() + "/chat?name=NAME");
        if (metrics != null) {
            String where = metricsOnly != null ? "http://" + shown + ":" + metricsOnly.port() : http + shown + ":" + server.port();
            out.println("  metrics:       " + where + MetricsEndpoint.METRICS_PATH
                    + " (Prometheus), health at " + MetricsEndpoint.HEALTH_PATH);
        }
        if (auth != null) {
            auth.printTo(out, http + shown + ":" + server.port());
        }
        if (serverLimits.maxConnections() != ServerLimits.UNLIMITED) {
            out.println("  at most " + serverLimits.maxConnections() + " connections at once (503 past that)");
        }
        out.println("  Ctrl-C stops (open connections get 1001, going away)");
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(Duration.ofSeconds(5));
            if (metricsOnly != null) {
                metricsOnly.stop(Duration.ofSeconds(1));
            }
            stopped.countDown();
        }, "duplex-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * The demo's routes and files: the echo endpoint (speaking {@code subprotocols}), the chat
     * room, and the page with its script and style sheet.
     */
    static WebSocketServer.Builder demo(WebSocketServer.Builder builder, List<String> subprotocols) {
        return builder
                .route("/echo", new Echo(), subprotocols)
                .route("/chat", new ChatRoom())
                .resource("/", "text/html; charset=utf-8", resource("index.html"))
                .resource("/demo.js", "text/javascript; charset=utf-8", resource("demo.js"))
                .resource("/demo.css", "text/css; charset=utf-8", resource("demo.css"))
                .resource(DemoAuth.SCRIPT_PATH, "text/javascript; charset=utf-8", DemoAuth.SCRIPT_WHEN_OFF);
    }

    /**
     * Sends every message back as it came: text as text, binary as binary, whatever its size.
     * The handler does not wait for the echo to be written: a client that writes a burst
     * before it reads would then wait on the server while the server waited on it. So echoes
     * queue up to the connection's outbound limit; a client that sends more than that before
     * reading gets the echoes that fit, in order, and then a close with 1013 (try again
     * later), never a reply dropped in silence (row H10): the library fails that send, closes
     * the connection and logs it.
     */
    static final class Echo implements WebSocketHandler {
        @Override
        public void onMessage(WebSocket socket, Message message) {
            // A failed echo closes the connection with 1013 by itself (see WebSocket).
            socket.send(message);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ServeCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
