package dev.duplex.cli;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code duplex serve}: the demo page at / and an echo endpoint at /echo. */
final class ServeCommand {
    static final Set<String> OPTIONS = Set.of("host", "port", "max-message-size", "max-fragments",
            "handshake-timeout", "allowed-origin", "subprotocol");

    private ServeCommand() {}

    static int run(Arguments args, PrintStream out, PrintStream err) {
        if (!args.positional().isEmpty()) {
            throw new Arguments.UsageException("unexpected argument " + args.positional().get(0));
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

        WebSocketServer.Builder builder = WebSocketServer.builder()
                .port(port)
                .handshakeTimeout(handshakeTimeout)
                .originPolicy(origins)
                .connectionOptions(ConnectionOptions.builder().limits(limits).build())
                .route("/echo", new Echo(), args.all("subprotocol"))
                .resource("/", "text/html; charset=utf-8", resource("index.html"));
        if (host != null) {
            builder.host(host);
        }
        WebSocketServer server;
        try {
            server = builder.build().start();
        } catch (UncheckedIOException e) {
            err.println("duplex serve: cannot listen on " + (host == null ? "*" : host) + ":" + port + ": "
                    + e.getCause().getMessage());
            return 1;
        }
        String shown = host == null || host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        out.println("Duplex listening on http://" + shown + ":" + server.port() + "/");
        out.println("  echo endpoint: ws://" + shown + ":" + server.port() + "/echo");
        out.println("  Ctrl-C stops (open connections get 1001, going away)");
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(Duration.ofSeconds(5));
            stopped.countDown();
        }, "duplex-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Sends every message back as it came: text as text, binary as binary. */
    static final class Echo implements WebSocketHandler {
        @Override
        public void onMessage(WebSocket socket, Message message) {
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
