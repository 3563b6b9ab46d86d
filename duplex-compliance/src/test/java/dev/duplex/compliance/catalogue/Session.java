package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * One variant of one row: the connections it opens, the bytes it sends (whole or one byte at
 * a time, as its {@link Delivery} says) and the checks on what comes back, each with a time
 * window measured from the moment the row's last byte went out. Closes every connection when
 * done. What it measured goes into the report.
 */
final class Session implements AutoCloseable {
    /** A protocol error ends the connection at once; this bound only keeps a hang from passing. */
    static final Duration PROMPTLY = Duration.ofSeconds(3);

    private final CatalogueServers servers;
    private final Transport transport;
    private final Delivery delivery;
    private final String id;
    private final List<RawPeer> peers = new ArrayList<>();
    private final StringJoiner detail = new StringJoiner("; ");
    private long sentAt = System.nanoTime();
    private long lastDiscarded;
    private int targets;

    Session(CatalogueServers servers, Transport transport, Delivery delivery, String id) {
        this.servers = servers;
        this.transport = transport;
        this.delivery = delivery;
        this.id = id;
    }

    Transport transport() {
        return transport;
    }

    Delivery delivery() {
        return delivery;
    }

    int port() {
        return servers.port(transport);
    }

    CatalogueServers servers() {
        return servers;
    }

    /**
     * {@code path} with a query parameter {@code id} unique to this connection, by which the
     * server's handler records what it saw; returns the target, and {@link #lastId()} the id.
     */
    String target(String path) {
        targets++;
        return path + (path.contains("?") ? "&" : "?") + "id=" + lastId();
    }

    String lastId() {
        return id + "-" + targets;
    }

    /** A connection with nothing of HTTP sent (TLS handshake done for wss). */
    RawPeer open() throws IOException {
        return keep(servers.connect(transport));
    }

    /** A plain TCP connection to the server's port, below any TLS. */
    RawPeer openTcp() throws IOException {
        return keep(servers.connectTcp(transport));
    }

    /**
     * A connection upgraded at {@code path} with these extra request lines, the request sent
     * as this variant delivers; returns the 101 head, lower-cased, through {@code head[0]}.
     */
    RawPeer upgrade(String path, String[] head, String... extraLines) throws IOException {
        RawPeer peer = open();
        send(peer, request(path, extraLines));
        head[0] = expectStatus(peer, 101);
        return peer;
    }

    /** A connection that negotiated permessage-deflate with a plain offer. */
    RawPeer upgradeWithDeflate(String path) throws IOException {
        String[] head = {null};
        RawPeer peer = upgrade(path, head, "Sec-WebSocket-Extensions: permessage-deflate");
        assertTrue(head[0].contains("sec-websocket-extensions: permessage-deflate"), () -> "deflate not agreed: " + head[0]);
        return peer;
    }

    /** A connection upgraded at {@code path} with a plain request sent whole. */
    RawPeer upgrade(String path) throws IOException {
        return keep(servers.upgrade(transport, target(path)));
    }

    /**
     * The upgrade request for {@code path}, as a browser-less client sends it: Host, Upgrade,
     * Connection, the RFC's sample key, version 13, then these extra lines, then the blank line.
     */
    String request(String path, String... extraLines) {
        StringBuilder head = new StringBuilder(RawPeer.requestStart(port(), target(path)));
        for (String line : extraLines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** Starts the clock that {@link #expectEnd} measures from, for rows that drip bytes. */
    void startClock() {
        sentAt = System.nanoTime();
    }

    /** Sends the bytes as this variant delivers them, and starts the clock. */
    void send(RawPeer peer, byte[] bytes) {
        IOException failed = delivery.write(peer, bytes);
        sentAt = System.nanoTime();
        if (failed != null) {
            note("a write failed: " + failed.getMessage());
        }
    }

    void send(RawPeer peer, String ascii) {
        send(peer, ascii.getBytes(ISO_8859_1));
    }

    /**
     * Reads the response head: its status must be {@code status}; any status but 101 must say
     * {@code Connection: close} and be followed by the end of the stream (row A18). Returns the
     * head, lower-cased, for further checks.
     */
    String expectStatus(RawPeer peer, int status) throws IOException {
        String head;
        try {
            head = peer.readResponseHead();
        } catch (EOFException | SocketException e) {
            throw new AssertionError("expected " + status + ", the connection ended first: " + e.getMessage(), e);
        }
        assertTrue(head.startsWith("HTTP/1.1 "), () -> "not an HTTP/1.1 response: " + head);
        int got = Integer.parseInt(head.substring(9, 12));
        assertEquals(status, got, () -> "status; response: " + head.strip());
        String lower = head.toLowerCase(Locale.ROOT);
        if (status != 101) {
            assertTrue(lower.contains("\r\nconnection: close\r\n"), () -> "a refusal without Connection: close (row A18): " + head.strip());
            long ms = expectEnd(peer, Duration.ZERO, PROMPTLY);
            note(status + ", closed after " + ms + " ms");
        } else {
            note("101");
        }
        return lower;
    }

    /**
     * Reads frames until a close frame, which must carry {@code code}; whatever arrives before
     * it must be in {@code before} (echoes of messages the row sent before its violation).
     * Then the server must end the stream promptly.
     */
    void expectClose(RawPeer peer, int code, RawPeer.Frame... before) throws IOException {
        int i = 0;
        while (true) {
            RawPeer.Frame frame = readFrame(peer, "a close frame with " + code);
            if (frame.opcode() == RawPeer.CLOSE) {
                assertEquals(before.length, i, "frames expected before the close");
                int got = frame.closeCode();
                assertNotEquals(1015, got, "1015 is never sent on the wire (row I)");
                assertEquals(code, got, () -> "close code; reason: " + reasonOf(frame));
                break;
            }
            if (i >= before.length) {
                fail("expected a close frame with " + code + ", got " + frame);
            }
            assertEquals(before[i].opcode(), frame.opcode(), "frame " + i);
            assertEquals(new String(before[i].payload(), ISO_8859_1), new String(frame.payload(), ISO_8859_1), "frame " + i);
            i++;
        }
        long ms = expectEnd(peer, Duration.ZERO, PROMPTLY);
        assertEquals(0, lastDiscarded, "bytes the server sent after its close frame (row C13)");
        note(code + ", closed after " + ms + " ms");
    }

    /** The next frame, which must be a message or control frame equal to {@code expected}. */
    void expectFrame(RawPeer peer, RawPeer.Frame expected) throws IOException {
        RawPeer.Frame frame = readFrame(peer, expected.toString());
        assertEquals(expected.opcode(), frame.opcode(), () -> "expected " + expected + ", got " + frame);
        assertEquals(new String(expected.payload(), ISO_8859_1), new String(frame.payload(), ISO_8859_1),
                () -> "payload of " + frame);
    }

    /**
     * The server must end the stream (FIN or reset) no sooner than {@code min} and no later
     * than {@code max} after the last byte was sent; whatever it sends before is discarded.
     * Then closes our side. Returns the time it took, in milliseconds.
     */
    long expectEnd(RawPeer peer, Duration min, Duration max) throws IOException {
        return expectEnd(peer, sentAt, min, max);
    }

    /** As {@link #expectEnd(RawPeer, Duration, Duration)}, timed from {@code since} (a nanoTime). */
    long expectEnd(RawPeer peer, long since, Duration min, Duration max) throws IOException {
        long left = since + max.toNanos() - System.nanoTime();
        lastDiscarded = 0;
        try {
            lastDiscarded = peer.awaitEndOfStream(Duration.ofNanos(Math.max(1_000_000, left)));
        } catch (AssertionError e) {
            throw new AssertionError("the server did not close the connection within " + max.toMillis() + " ms", e);
        } catch (IOException e) {
            // an SSL alert or a reset while reading: the connection is over all the same
        }
        long ms = (System.nanoTime() - since) / 1_000_000;
        peer.close(); // our side too, so the server need not wait out its linger
        assertTrue(ms >= min.toMillis(), () -> "closed after " + ms + " ms, before the " + min.toMillis() + " ms it should have waited");
        return ms;
    }

    /** Adds to what the report says about this variant. */
    void note(String text) {
        detail.add(text);
    }

    String detail() {
        return detail.toString();
    }

    void closeAll() {
        for (RawPeer peer : peers) {
            try {
                peer.close();
            } catch (IOException ignored) {
                // the test is done with it
            }
        }
        peers.clear();
    }

    @Override
    public void close() {
        closeAll();
    }

    private RawPeer keep(RawPeer peer) {
        peers.add(peer);
        return peer;
    }

    /** The next frame other than the server's keepalive pings, which are answered as a client would. */
    private static RawPeer.Frame readFrame(RawPeer peer, String waitingFor) throws IOException {
        try {
            RawPeer.Frame frame;
            while ((frame = peer.readFrame()).opcode() == RawPeer.PING) {
                peer.send(RawPeer.frame(true, 0, RawPeer.PONG, frame.payload(), true));
            }
            return frame;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing within " + RawPeer.READ_DEADLINE.toSeconds() + " s; waiting for " + waitingFor, e);
        } catch (EOFException | SocketException e) {
            throw new AssertionError("the connection ended while waiting for " + waitingFor + ": " + e.getMessage(), e);
        }
    }

    private static String reasonOf(RawPeer.Frame close) {
        return close.payload().length <= 2 ? "" : new String(close.payload(), 2, close.payload().length - 2, ISO_8859_1);
    }
}
