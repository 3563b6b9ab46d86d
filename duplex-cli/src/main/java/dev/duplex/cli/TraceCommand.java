package dev.duplex.cli;

import dev.duplex.protocol.frame.FrameFormatter;
import dev.duplex.protocol.inspect.Dissection;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code duplex trace --listen PORT --upstream ws://HOST:PORT[/path]}: an intercepting relay that
 * passes every byte through unchanged and prints what it saw, the handshake heads and every
 * frame of both directions, as text or ({@code --json}) one JSON object per line; {@code --pcap}
 * also writes a capture file for Wireshark. Runs until interrupted (Ctrl-C).
 */
final class TraceCommand {
    static final Set<String> OPTIONS = Set.of("listen", "upstream", "json!", "max-payload", "pcap");

    /** Enough to read a chat line or a small JSON message whole, short enough to scan a busy trace. */
    static final int DEFAULT_MAX_PAYLOAD = 256;

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    private TraceCommand() {}

    static int run(Arguments args, PrintStream out, PrintStream err) {
        if (!args.positional().isEmpty()) {
            throw new Arguments.UsageException("unexpected argument " + args.positional().get(0));
        }
        InetSocketAddress listen = listenAddress(args.string("listen", null));
        URI upstreamUri = upstream(args.string("upstream", null));
        InetSocketAddress upstream = new InetSocketAddress(upstreamUri.getHost(),
                upstreamUri.getPort() < 0 ? 80 : upstreamUri.getPort());
        if (upstream.isUnresolved()) {
            err.println("duplex trace: cannot resolve " + upstreamUri.getHost());
            return 1;
        }
        int maxPayload = (int) args.number("max-payload", DEFAULT_MAX_PAYLOAD, 0, 16 * 1024 * 1024);
        TraceRelay.Sink sink = args.flag("json") ? new JsonSink(out) : new TextSink(out);

        PcapWriter pcap = null;
        String pcapFile = args.string("pcap", null);
        if (pcapFile != null) {
            try {
                pcap = PcapWriter.create(Path.of(pcapFile));
            } catch (IOException e) {
                err.println("duplex trace: cannot write " + pcapFile + ": " + e.getMessage());
                return 1;
            }
        }
        TraceRelay relay = new TraceRelay(listen, upstream, maxPayload, sink, pcap);
        try {
            relay.start();
        } catch (IOException e) {
            err.println("duplex trace: cannot listen on " + listen.getHostString() + ":" + listen.getPort() + ": "
                    + e.getMessage());
            closeQuietly(pcap);
            return 1;
        }
        String path = upstreamUri.getRawPath() == null || upstreamUri.getRawPath().isEmpty() ? "/" : upstreamUri.getRawPath();
        String shownHost = listen.getAddress().isAnyLocalAddress() ? "localhost" : listen.getHostString();
        err.println("duplex trace: listening on " + listen.getHostString() + ":" + relay.port()
                + ", relaying to " + upstream.getHostString() + ":" + upstream.getPort());
        err.println("  connect clients to ws://" + shownHost + ":" + relay.port() + path
                + (pcapFile != null ? "; capture in " + pcapFile : "") + "; Ctrl-C stops");
        err.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        PcapWriter capture = pcap;
        Thread hook = new Thread(() -> {
            relay.close();
            closeQuietly(capture);
            stopped.countDown();
        }, "duplex-trace-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await(); // until Ctrl-C, or an embedder interrupts this thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; it closes everything itself
            }
            relay.close();
            closeQuietly(pcap);
            out.flush();
        }
        return 0;
    }

    /** {@code PORT} on the loopback interface, or {@code HOST:PORT} to listen elsewhere. */
    static InetSocketAddress listenAddress(String value) {
        if (value == null) {
            throw new Arguments.UsageException("needs --listen PORT (or HOST:PORT)");
        }
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : value.substring(0, colon).replace("[", "").replace("]", "");
        String port = colon < 0 ? value : value.substring(colon + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host, p);
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("--listen needs a port from 0 to 65535, not '" + port + "'");
        }
    }

    static URI upstream(String value) {
        if (value == null) {
            throw new Arguments.UsageException("needs --upstream ws://HOST:PORT[/path]");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new Arguments.UsageException("--upstream: " + e.getMessage());
        }
        if ("wss".equalsIgnoreCase(uri.getScheme())) {
            throw new Arguments.UsageException("--upstream: trace relays plain ws:// only; TLS would hide the frames");
        }
        if (!"ws".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new Arguments.UsageException("--upstream needs ws://HOST:PORT[/path], not '" + value + "'");
        }
        return uri;
    }

    private static void closeQuietly(PcapWriter pcap) {
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException ignored) {
                // the capture is flushed packet by packet; nothing more to save
            }
        }
    }

    /** Human-readable lines: {@code 12:00:01.123 #1 client->server TEXT ...}. */
    static final class TextSink implements TraceRelay.Sink {
        private final PrintStream out;
        private final ReentrantLock lock = new ReentrantLock();

        TextSink(PrintStream out) {
            this.out = out;
        }

        @Override
        public void opened(long connection, Instant time, InetSocketAddress client, InetSocketAddress upstream) {
            print(prefix(time, connection) + "connection from " + client.getAddress().getHostAddress() + ":"
                    + client.getPort() + " relayed to " + upstream.getAddress().getHostAddress() + ":"
                    + upstream.getPort() + "\n");
        }

        @Override
        public void dissected(long connection, Instant time, Dissection dissection) {
            print(FrameFormatter.format(prefix(time, connection), dissection));
        }

        @Override
        public void problem(long connection, Instant time, String message) {
            print(prefix(time, connection) + "! " + FrameFormatter.escapeText(message) + "\n");
        }

        @Override
        public void closed(long connection, Instant time, long clientBytes, long serverBytes) {
            print(prefix(time, connection) + "closed: " + clientBytes + " bytes client->server, " + serverBytes
                    + " bytes server->client\n");
        }

        private static String prefix(Instant time, long connection) {
            return CLOCK.format(LocalTime.ofInstant(time, ZoneId.systemDefault())) + " #" + connection + " ";
        }

        private void print(String text) {
            lock.lock();
            try {
                out.print(text);
                out.flush();
            } finally {
                lock.unlock();
            }
        }
    }

    /** One JSON object per line, for tools. */
    static final class JsonSink implements TraceRelay.Sink {
        private final PrintStream out;
        private final ReentrantLock lock = new ReentrantLock();

        JsonSink(PrintStream out) {
            this.out = out;
        }

        @Override
        public void opened(long connection, Instant time, InetSocketAddress client, InetSocketAddress upstream) {
            print(DissectionJson.event("open", time, connection)
                    .string("client", client.getAddress().getHostAddress() + ":" + client.getPort())
                    .string("upstream", upstream.getAddress().getHostAddress() + ":" + upstream.getPort())
                    .toString());
        }

        @Override
        public void dissected(long connection, Instant time, Dissection dissection) {
            print(DissectionJson.of(dissection, time, connection));
        }

        @Override
        public void problem(long connection, Instant time, String message) {
            print(DissectionJson.event("problem", time, connection).string("text", message).toString());
        }

        @Override
        public void closed(long connection, Instant time, long clientBytes, long serverBytes) {
            print(DissectionJson.event("close", time, connection)
                    .number("client_bytes", clientBytes).number("server_bytes", serverBytes).toString());
        }

        private void print(String line) {
            lock.lock();
            try {
                out.print(line + "\n");
                out.flush();
            } finally {
                lock.unlock();
            }
        }
    }
}
