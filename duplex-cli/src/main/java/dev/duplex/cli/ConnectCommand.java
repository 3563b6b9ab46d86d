package dev.duplex.cli;

import dev.duplex.ClientOptions;
import dev.duplex.CompressionOptions;
import dev.duplex.HandshakeFailedException;
import dev.duplex.Message;
import dev.duplex.ReconnectPolicy;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code duplex connect URL}: a WebSocket client on the command line. On a terminal it is
 * interactive (typed lines are sent, received messages printed after {@code < }, slash commands
 * for binary, ping and close); from a pipe it is a filter (one text message per input line, one
 * output line per received message, a close with 1000 at the end of input). With
 * {@code --frames} it also prints every frame both ways, as {@code duplex trace} does.
 */
final class ConnectCommand {
    static final Set<String> OPTIONS = Set.of("header", "subprotocol", "origin", "insecure!", "linger", "frames!",
            "max-payload", "no-compression!", "proxy", "reconnect!", "tls-cert", "tls-key", "tls-ca");

    /** How long to wait for replies after the end of input, once the server has read it all. */
    static final long DEFAULT_LINGER_MILLIS = 200;
    private static final byte[] END_OF_INPUT_PING = "duplex-end-of-input".getBytes(StandardCharsets.US_ASCII);
    private static final Duration END_OF_INPUT_PONG_WAIT = Duration.ofSeconds(5);

    /** Close codes from the server that count as a clean end: normal, going away, no status. */
    private static final Set<Integer> CLEAN_CLOSE = Set.of(1000, 1001, 1005);
    private static final HexFormat HEX = HexFormat.of();

    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    private final long lingerMillis;
    /** The {@code --frames} printers of this run's connection attempts, closed at the end. */
    private final ConcurrentLinkedQueue<FramePrinter> printers = new ConcurrentLinkedQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final CompletableFuture<Void> endOfInputPong = new CompletableFuture<>();
    /** Whether this end started the close (end of input or /close), so any answered code is success. */
    private volatile boolean closedByUs;
    private volatile int closeCode;
    private volatile String closeReason = "";
    /** The open connection; with --reconnect, the latest one. */
    private final AtomicReference<WebSocket> current = new AtomicReference<>();
    private final ReentrantLock reconnectLock = new ReentrantLock();
    private final Condition reconnected = reconnectLock.newCondition();
    private volatile boolean reconnecting;
    private volatile boolean gaveUp;

    private ConnectCommand(PrintStream out, PrintStream err, boolean interactive, long lingerMillis) {
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.lingerMillis = lingerMillis;
    }

    /**
     * @param interactive whether the user types at a terminal (see {@link #stdinIsTerminal()}),
     *     which turns on slash commands and the direction markers
     */
    static int run(Arguments args, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        return run(args, in, out, err, interactive, System.getenv());
    }

    /**
     * @param env the environment, for the {@code *_PROXY} variables
     */
    static int run(Arguments args, InputStream in, PrintStream out, PrintStream err, boolean interactive,
                   Map<String, String> env) {
        if (args.positional().size() != 1) {
            throw new Arguments.UsageException(args.positional().isEmpty()
                    ? "needs the URL to connect to, such as ws://localhost:8080/echo"
                    : "unexpected argument " + args.positional().get(1));
        }
        URI uri;
        ClientOptions options;
        try {
            uri = new URI(args.positional().get(0));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("the URL must start with ws:// or wss://");
            }
            options = options(args, env);
        } catch (URISyntaxException | IllegalArgumentException | UncheckedIOException e) {
            throw new Arguments.UsageException(e.getMessage());
        }
        long linger = args.number("linger", DEFAULT_LINGER_MILLIS, 0, 60_000);
        ConnectCommand command = new ConnectCommand(out, err, interactive, linger);
        if (args.flag("reconnect")) {
            command.reconnecting = true;
            options = options.toBuilder().reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(500))
                    .maxDelay(Duration.ofSeconds(30)).forever().listener(command.new Reconnects()).build()).build();
        }
        if (args.flag("frames")) {
            int maxPayload = (int) args.number("max-payload", TraceCommand.DEFAULT_MAX_PAYLOAD, 0, 16 * 1024 * 1024);
            options = options.toBuilder().wireTap(() -> command.newPrinter(maxPayload)).build();
        }
        try {
            return command.session(uri, options, in);
        } finally {
            command.printers.forEach(FramePrinter::close);
        }
    }

    private FramePrinter newPrinter(int maxPayload) {
        FramePrinter printer = new FramePrinter(out, maxPayload);
        printers.add(printer);
        return printer;
    }

    /** The client options the command line asks for, with the proxy from the process's environment. */
    static ClientOptions options(Arguments args) {
        return options(args, System.getenv());
    }

    /** The client options the command line asks for; {@code env} holds the proxy variables. */
    static ClientOptions options(Arguments args, Map<String, String> env) {
        ClientOptions.Builder builder = ClientOptions.builder();
        if (!args.positional().isEmpty()) {
            builder.proxy(ProxyEnvironment.choose(args.string("proxy", null), URI.create(args.positional().get(0)), env));
        }
        String cert = args.string("tls-cert", null);
        String key = args.string("tls-key", null);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (cert != null) {
            builder.clientCertificate(Path.of(cert), Path.of(key));
        }
        String ca = args.string("tls-ca", null);
        if (ca != null) {
            if (args.flag("insecure")) {
                throw new IllegalArgumentException("--tls-ca and --insecure contradict each other; give one");
            }
            builder.trustedCertificates(Path.of(ca));
        }
        for (String header : args.all("header")) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header needs 'Name: value', not '" + header + "'");
            }
            builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        args.all("subprotocol").forEach(builder::subprotocol);
        builder.origin(args.string("origin", null));
        if (args.flag("no-compression")) {
            builder.compression(CompressionOptions.DISABLED);
        }
        if (args.flag("insecure")) {
            builder.trustManager(trustingEveryCertificate()).insecureSkipHostnameVerification();
        }
        return builder.build();
    }

    private int session(URI uri, ClientOptions options, InputStream in) {
        if (options.insecureSkipHostnameVerification() && "wss".equalsIgnoreCase(uri.getScheme())) {
            err.println("duplex connect: --insecure: the server's certificate is not checked");
        }
        WebSocket socket;
        try {
            Duration limit = options.connectTimeout().plus(options.handshakeTimeout()).plusSeconds(5);
            socket = WebSocketClient.create(options).connect(uri, new Printer())
                    .get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HandshakeFailedException failed) {
                err.println("duplex connect: handshake failed: " + failed.getMessage());
            } else {
                err.println("duplex connect: cannot connect to " + uri + ": " + cause);
            }
            return 1;
        } catch (TimeoutException e) {
            err.println("duplex connect: no answer from " + uri);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        current.compareAndSet(null, socket);
        if (interactive) {
            String protocol = socket.handshake().selectedSubprotocol().map(p -> " (subprotocol " + p + ")").orElse("");
            out.println("connected to " + uri + protocol + "; /help lists commands, end of input closes");
        }
        Thread.ofVirtual().name("duplex-connect-input").start(() -> readInput(in));
        try {
            closed.await(); // the connection's close timeout bounds how long this waits
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.abort();
            return 1;
        }
        String reason = closeReason.isEmpty() ? "" : " " + closeReason;
        boolean clean = CLEAN_CLOSE.contains(closeCode) || (closedByUs && closeCode != 1006);
        if (interactive) {
            out.println("closed: " + closeCode + reason);
        } else if (!clean) {
            err.println("duplex connect: connection closed: " + closeCode + reason);
        }
        out.flush();
        return clean ? 0 : 1;
    }

    /** Sends what the user types until the input ends, a /close, or the connection closes. */
    private void readInput(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null && closed.getCount() > 0) {
                if (interactive && line.startsWith("/") && !line.startsWith("//")) {
                    WebSocket open = openSocket();
                    if (open == null || !command(line, open)) {
                        return;
                    }
                } else {
                    String text = interactive && line.startsWith("//") ? line.substring(1) : line;
                    WebSocket open = openSocket();
                    if (open == null) {
                        return; // the connection is gone for good
                    }
                    open.sendText(text).join(); // one at a time: the pipe feels the server's pace
                }
            }
            WebSocket open = openSocket();
            if (open != null) {
                closeAfterReplies(open);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (closed.getCount() > 0) {
                err.println("duplex connect: " + e.getMessage());
                closedByUs = true;
                current.get().close(1000, "");
            }
        }
    }

    /**
     * Closes with 1000 once the replies to what was sent have had their chance. Some servers
     * (Python websockets among them) send nothing more once a close frame is in, not even replies
     * already due; so first a ping, whose pong shows that the server has read everything before
     * it, then the linger, for its application to answer, then the close.
     */
    private void closeAfterReplies(WebSocket socket) throws InterruptedException {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            socket.ping(ByteBuffer.wrap(END_OF_INPUT_PING)).join();
            endOfInputPong.get(END_OF_INPUT_PONG_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // No pong: close anyway; the close handshake has its own timeout.
        }
        // The linger ends early if the server closes meanwhile.
        if (!closed.await(lingerMillis, TimeUnit.MILLISECONDS)) {
            closedByUs = true;
            socket.close(1000, "");
        }
    }

    /** Runs a slash command; returns false once it has closed the connection. */
    private boolean command(String line, WebSocket socket) {
        String[] parts = line.split(" ", 2);
        String argument = parts.length > 1 ? parts[1] : "";
        try {
            switch (parts[0]) {
                case "/binary" -> socket.sendBinary(HEX.parseHex(argument.replace(" ", ""))).join();
                case "/ping" -> socket.ping(ByteBuffer.wrap(argument.getBytes(StandardCharsets.UTF_8))).join();
                case "/close" -> {
                    String[] closeArgs = argument.isEmpty() ? new String[0] : argument.split(" ", 2);
                    int code = closeArgs.length > 0 ? Integer.parseInt(closeArgs[0]) : 1000;
                    String reason = closeArgs.length > 1 ? closeArgs[1] : "";
                    closedByUs = true;
                    try {
                        socket.close(code, reason); // refuses 1005, 1006, 1015 and long reasons
                    } catch (IllegalArgumentException e) {
                        closedByUs = false;
                        throw e;
                    }
                    return false;
                }
                case "/help" -> out.print(COMMANDS);
                default -> out.println("! unknown command " + parts[0] + "; /help lists them");
            }
        } catch (IllegalArgumentException e) {
            out.println("! " + e.getMessage());
        }
        return true;
    }

    static final String COMMANDS = """
            a line                  sends it as a text message (start it with // to send a leading /)
            /binary HEX             sends a binary message, e.g. /binary 68 65 6c 6c 6f
            /ping [TEXT]            sends a ping; its pong is printed when it comes
            /close [CODE [REASON]]  starts the close handshake (default 1000)
            end of input (Ctrl-D)   closes with 1000
            """;

    /** Prints what arrives: bare lines in a script, with direction markers on a terminal. */
    private final class Printer implements WebSocketHandler {
        @Override
        public void onMessage(WebSocket socket, Message message) {
            String shown = switch (message) {
                case Message.Text text -> text.text();
                case Message.Binary binary -> interactive
                        ? "binary (" + binary.data().length + " bytes) " + HEX.formatHex(binary.data())
                        : HEX.formatHex(binary.data());
            };
            out.println(interactive ? "< " + shown : shown);
            out.flush();
        }

        @Override
        public void onPing(WebSocket socket, byte[] payload) {
            if (interactive) {
                out.println("< ping " + printable(payload));
            }
        }

        @Override
        public void onPong(WebSocket socket, byte[] payload) {
            if (Arrays.equals(payload, END_OF_INPUT_PING)) {
                endOfInputPong.complete(null);
                return;
            }
            if (interactive) {
                out.println("< pong " + printable(payload));
            }
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            err.println("duplex connect: " + error);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            closeCode = code;
            closeReason = reason;
            // With --reconnect a drop is not the end: the listener says when it is.
            if (!reconnecting || closedByUs || !ReconnectPolicy.isRetryable(code)) {
                closed.countDown();
            } else {
                err.println("duplex connect: connection closed: " + code + (reason.isEmpty() ? "" : " " + reason));
            }
        }
    }

    /** For --reconnect: prints each attempt and its delay, and hands the input the new connection. */
    private final class Reconnects implements ReconnectPolicy.Listener {
        @Override
        public void attemptScheduled(int attempt, Duration delay, String cause) {
            err.println("duplex connect: reconnect attempt " + attempt + " in " + delay.toMillis() + " ms (" + cause + ")");
        }

        @Override
        public void reconnected(WebSocket socket, int attempts) {
            err.println("duplex connect: reconnected after " + attempts + (attempts == 1 ? " attempt" : " attempts"));
            reconnectLock.lock();
            try {
                current.set(socket);
                reconnected.signalAll();
            } finally {
                reconnectLock.unlock();
            }
        }

        @Override
        public void gaveUp(String reason) {
            reconnectLock.lock();
            try {
                gaveUp = true;
                reconnected.signalAll();
            } finally {
                reconnectLock.unlock();
            }
            if (!closedByUs) {
                err.println("duplex connect: not reconnecting: " + reason);
            }
            closed.countDown();
        }
    }

    /**
     * The connection to send on: the current one while it is open; with --reconnect, the next
     * one once it is back. Null when there will be none.
     */
    private WebSocket openSocket() throws InterruptedException {
        reconnectLock.lock();
        try {
            while (true) {
                WebSocket socket = current.get();
                if (socket != null && socket.isOpen()) {
                    return socket;
                }
                if (!reconnecting || gaveUp || closed.getCount() == 0) {
                    return null;
                }
                reconnected.await(1, TimeUnit.SECONDS); // and look again: isOpen has no signal of its own
            }
        } finally {
            reconnectLock.unlock();
        }
    }

    /** Control payloads are bytes: shown as text when they are printable ASCII, else as hex. */
    private static String printable(byte[] payload) {
        for (byte b : payload) {
            if (b < 0x20 || b > 0x7e) {
                return HEX.formatHex(payload);
            }
        }
        return new String(payload, StandardCharsets.US_ASCII);
    }

    /**
     * Whether standard input is a terminal. Before JDK 22, {@link System#console()} is null unless
     * it is; from JDK 22 it may return a console anyway, and {@code Console.isTerminal()} tells.
     */
    static boolean stdinIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only on a terminal
        }
    }

    /**
     * For {@code --insecure}, as {@code curl -k}: trusts any certificate for any name. Only ever
     * built on the user's explicit request; the library itself has no such option.
     */
    private static X509ExtendedTrustManager trustingEveryCertificate() {
        return new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }
}
