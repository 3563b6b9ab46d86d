package dev.duplex.protocol.inspect;

import static dev.duplex.protocol.inspect.Direction.CLIENT_TO_SERVER;
import static dev.duplex.protocol.inspect.Direction.SERVER_TO_CLIENT;

import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.AcceptKey;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.HeaderTokens;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Follows both directions of one connection as an observer sees it: the HTTP upgrade request
 * and response (the accept key checked, the permessage-deflate parameters read), then the frames
 * each way through a {@link FrameDissector} set up with what the handshake agreed. Plain HTTP
 * exchanges on the same connection (a page fetched through a tracer) are shown head by head,
 * their bodies skipped.
 *
 * <p>Sans-I/O: the caller feeds each direction's bytes as they pass and gets back what they
 * held. Feed a request before its response, as they happened; bytes a client sends before the
 * response arrives are held until it does, since what they mean depends on it.
 *
 * <p>Not thread-safe: a relay serialises the two directions' calls. Holds zlib streams once
 * deflate is agreed: {@link #close()} it.
 */
public final class ConnectionDissector implements AutoCloseable {
    /** Generous: an observer shows what passes, it does not defend a server. */
    private static final HeadLimits LIMITS = new HeadLimits(64 * 1024, 64 * 1024, 1000, 256 * 1024);
    /** Client bytes held while the response is awaited; more are passed over. */
    private static final int MAX_PENDING = 1 << 20;

    private enum Mode { HEAD, BODY, AWAIT_RESPONSE, FRAMES, RAW }

    private final int maxShown;
    private final Side client = new Side(CLIENT_TO_SERVER);
    private final Side server = new Side(SERVER_TO_CLIENT);
    /** Requests whose final response has not been seen, oldest first. */
    private final ArrayDeque<HttpRequest> requests = new ArrayDeque<>();

    private ConnectionDissector(int maxShown) {
        if (maxShown < 0) {
            throw new IllegalArgumentException("maxShown must not be negative");
        }
        this.maxShown = maxShown;
    }

    /**
     * A dissector for a connection watched from its first byte, the client's HTTP request.
     *
     * @param maxShown the most payload bytes kept per frame for display
     */
    public static ConnectionDissector fromHandshake(int maxShown) {
        return new ConnectionDissector(maxShown);
    }

    /**
     * A dissector for a connection whose handshake is over, such as a client printing its own
     * frames: both directions start with frames.
     *
     * @param deflate the permessage-deflate parameters agreed, or null for none
     */
    public static ConnectionDissector afterHandshake(int maxShown, DeflateParameters deflate) {
        ConnectionDissector d = new ConnectionDissector(maxShown);
        d.startFrames(deflate, 0);
        return d;
    }

    /** Reads bytes that passed in {@code direction}; returns what they completed. */
    public List<Dissection> feed(Direction direction, ByteBuffer bytes) {
        List<Dissection> out = new ArrayList<>();
        side(direction).feed(bytes, out);
        return out;
    }

    /** The stream in {@code direction} has ended; returns what was left unfinished. */
    public List<Dissection> endOfStream(Direction direction) {
        List<Dissection> out = new ArrayList<>();
        side(direction).endOfStream(out);
        return out;
    }

    /** Releases the zlib streams. Idempotent. */
    @Override
    public void close() {
        client.close();
        server.close();
    }

    private Side side(Direction direction) {
        return direction == CLIENT_TO_SERVER ? client : server;
    }

    private void startFrames(DeflateParameters deflate, int foreignRsv) {
        client.startFrames(FrameDissector.create(CLIENT_TO_SERVER, maxShown, deflate, foreignRsv));
        server.startFrames(FrameDissector.create(SERVER_TO_CLIENT, maxShown, deflate, foreignRsv));
    }

    /** One direction's reading state. */
    private final class Side {
        private final Direction direction;
        private Mode mode = Mode.HEAD;
        private HttpHeadParser<?> parser;
        private long bodyLeft;
        private FrameDissector frames;
        private ByteArrayOutputStream pending;
        private long raw;
        private String rawWhat;

        Side(Direction direction) {
            this.direction = direction;
        }

        void feed(ByteBuffer in, List<Dissection> out) {
            while (in.hasRemaining()) {
                switch (mode) {
                    case HEAD -> readHead(in, out);
                    case BODY -> {
                        int n = (int) Math.min(in.remaining(), bodyLeft);
                        in.position(in.position() + n);
                        bodyLeft -= n;
                        if (bodyLeft == 0) {
                            mode = Mode.HEAD;
                        }
                    }
                    case AWAIT_RESPONSE -> hold(in, out);
                    case FRAMES -> frames.feed(in, out);
                    case RAW -> {
                        raw += in.remaining();
                        in.position(in.limit());
                    }
                }
            }
        }

        void endOfStream(List<Dissection> out) {
            switch (mode) {
                case HEAD -> {
                    if (parser != null) {
                        out.add(new Dissection.Note(direction, "the stream ended inside an HTTP head", List.of()));
                    }
                }
                case BODY -> out.add(new Dissection.Note(direction, "the stream ended " + bodyLeft
                        + " bytes before the end of an HTTP body", List.of()));
                case AWAIT_RESPONSE -> {
                    if (pending != null) {
                        out.add(new Dissection.Skipped(direction, pending.size(),
                                "bytes sent before the server's response, which never came", List.of()));
                    }
                }
                case FRAMES -> frames.endOfStream(out);
                case RAW -> out.add(new Dissection.Skipped(direction, raw, rawWhat, List.of()));
            }
        }

        void startFrames(FrameDissector dissector) {
            frames = dissector;
            mode = Mode.FRAMES;
        }

        void close() {
            if (frames != null) {
                frames.close();
            }
        }

        private void readHead(ByteBuffer in, List<Dissection> out) {
            if (parser == null) {
                parser = direction == CLIENT_TO_SERVER
                        ? HttpHeadParser.forRequests(LIMITS) : HttpHeadParser.forResponses(LIMITS);
            }
            Object head;
            try {
                head = parser.feed(in);
            } catch (HandshakeException e) {
                parser = null;
                out.add(new Dissection.Note(direction, "malformed HTTP head: " + e.getMessage(),
                        List.of(new Violation("RFC 9112", "the " + (direction == CLIENT_TO_SERVER ? "request" : "response")
                                + " head is not valid HTTP/1.1", direction == CLIENT_TO_SERVER
                                ? "the server must refuse it (" + e.status() + ") and close the connection"
                                : "the client must fail the WebSocket connection", 0))));
                enterRaw("bytes after a malformed HTTP head");
                return;
            }
            if (head == null) {
                return;
            }
            parser = null;
            if (head instanceof HttpRequest request) {
                onRequest(request, out);
            } else {
                onResponse((HttpResponse) head, out);
            }
        }

        /** RFC 6455 4.1: nothing may follow the upgrade request until the response has come. */
        private void hold(ByteBuffer in, List<Dissection> out) {
            if (pending == null) {
                pending = new ByteArrayOutputStream();
                out.add(new Dissection.Note(direction, "the client sent data before the server's response;"
                        + " it is read once the response has come", List.of(new Violation("RFC 6455 4.1",
                        "data sent before the opening handshake completed",
                        "the client must wait for the server's 101 before sending frames", 0))));
            }
            int n = Math.min(in.remaining(), MAX_PENDING - pending.size());
            byte[] piece = new byte[n];
            in.get(piece);
            pending.writeBytes(piece);
            if (pending.size() == MAX_PENDING) {
                enterRaw("bytes sent before the server's response");
                raw = pending.size();
                pending = null;
            }
        }

        private void enterRaw(String what) {
            mode = Mode.RAW;
            rawWhat = what;
        }

        /** Continues with the bytes the client sent while its request was unanswered. */
        private void release(List<Dissection> out) {
            if (pending != null) {
                ByteBuffer held = ByteBuffer.wrap(pending.toByteArray());
                pending = null;
                feed(held, out);
            }
        }

        private void afterBody(Headers headers, boolean mayHaveBody, List<String> notes) {
            if (!mayHaveBody) {
                mode = Mode.HEAD;
                return;
            }
            if (headers.contains("Transfer-Encoding")) {
                notes.add("the body is chunked and is not dissected");
                enterRaw("HTTP body and what follows it");
                return;
            }
            Optional<String> length = headers.first("Content-Length");
            if (length.isEmpty()) {
                if (direction == SERVER_TO_CLIENT) {
                    notes.add("the body runs until the connection closes");
                    enterRaw("HTTP body");
                } else {
                    mode = Mode.HEAD;
                }
                return;
            }
            try {
                bodyLeft = Long.parseLong(length.get().trim());
            } catch (NumberFormatException e) {
                notes.add("Content-Length is not a number; what follows is not dissected");
                enterRaw("HTTP body and what follows it");
                return;
            }
            if (bodyLeft > 0) {
                notes.add("body of " + bodyLeft + " bytes (not shown)");
                mode = Mode.BODY;
            } else {
                mode = Mode.HEAD;
            }
        }
    }

    private void onRequest(HttpRequest request, List<Dissection> out) {
        List<String> notes = new ArrayList<>();
        List<Violation> violations = new ArrayList<>();
        boolean upgrade = isUpgrade(request);
        if (upgrade) {
            List<String> keys = request.headers().all("Sec-WebSocket-Key");
            if (keys.size() != 1 || !AcceptKey.isValidKey(keys.get(0))) {
                violations.add(new Violation("RFC 6455 4.1", "Sec-WebSocket-Key is missing, repeated, or not"
                        + " base64 of 16 bytes", "the server must refuse the handshake with 400", 0));
            }
            if (!request.headers().all("Sec-WebSocket-Version").equals(List.of("13"))) {
                violations.add(new Violation("RFC 6455 4.1", "Sec-WebSocket-Version is not 13",
                        "the server must refuse the handshake (426, naming the versions it speaks)", 0));
            }
            try {
                for (ExtensionOffer offer : HeaderTokens.extensions(request.headers())) {
                    if (offer.name().equals(PerMessageDeflate.NAME)) {
                        notes.add("offers " + offer.toHeaderValue());
                    }
                }
            } catch (HandshakeException e) {
                violations.add(new Violation("RFC 6455 9.1", "Sec-WebSocket-Extensions is malformed: "
                        + e.getMessage(), "the server must refuse the handshake with 400", 0));
            }
        }
        requests.add(request);
        out.add(new Dissection.Head(CLIENT_TO_SERVER, request.method() + " " + request.target() + " "
                + request.version(), request.headers(), notes, violations));
        if (upgrade) {
            client.mode = Mode.AWAIT_RESPONSE;
        } else {
            client.afterBody(request.headers(), true, new ArrayList<>());
        }
    }

    private void onResponse(HttpResponse response, List<Dissection> out) {
        List<String> notes = new ArrayList<>();
        List<Violation> violations = new ArrayList<>();
        String startLine = "HTTP/1.1 " + response.status() + (response.reason().isEmpty() ? "" : " " + response.reason());
        if (response.status() >= 100 && response.status() < 200 && response.status() != 101) {
            out.add(new Dissection.Head(SERVER_TO_CLIENT, startLine, response.headers(), notes, violations));
            return; // an interim response: the final one follows
        }
        HttpRequest request = requests.poll();
        boolean upgradeAsked = request != null && isUpgrade(request);
        if (response.status() == 101 && upgradeAsked) {
            Agreement agreement = checkUpgrade(request, response, notes, violations);
            out.add(new Dissection.Head(SERVER_TO_CLIENT, startLine, response.headers(), notes, violations));
            startFrames(agreement.deflate, agreement.foreignRsv);
            client.release(out);
            return;
        }
        if (response.status() == 101) {
            violations.add(new Violation("RFC 9110 15.2.2", "101 without an upgrade request",
                    "the client must not treat the connection as upgraded", 0));
            out.add(new Dissection.Head(SERVER_TO_CLIENT, startLine, response.headers(), notes, violations));
            server.enterRaw("bytes after an unexpected 101");
            return;
        }
        if (upgradeAsked) {
            notes.add("the upgrade was refused");
        }
        boolean mayHaveBody = response.status() != 204 && response.status() != 304
                && (request == null || !request.method().equals("HEAD"));
        server.afterBody(response.headers(), mayHaveBody, notes);
        out.add(new Dissection.Head(SERVER_TO_CLIENT, startLine, response.headers(), notes, violations));
        if (client.mode == Mode.AWAIT_RESPONSE) {
            client.mode = Mode.HEAD;
            client.release(out);
        }
    }

    private record Agreement(DeflateParameters deflate, int foreignRsv) {}

    /** RFC 6455 4.1 items 1–6 of the client's checks, and RFC 7692 5.1 for the extension. */
    private Agreement checkUpgrade(HttpRequest request, HttpResponse response, List<String> notes,
                                   List<Violation> violations) {
        Headers headers = response.headers();
        String mustFail = "the client must fail the WebSocket connection";
        if (!hasToken(headers.all("Upgrade"), "websocket")) {
            violations.add(new Violation("RFC 6455 4.1", "the 101 has no Upgrade: websocket", mustFail, 0));
        }
        if (!hasToken(headers.all("Connection"), "upgrade")) {
            violations.add(new Violation("RFC 6455 4.1", "the 101 has no Connection: Upgrade", mustFail, 0));
        }
        String key = request.headers().first("Sec-WebSocket-Key").orElse("");
        String expected = AcceptKey.accept(key);
        List<String> accepts = headers.all("Sec-WebSocket-Accept");
        if (accepts.size() == 1 && accepts.get(0).equals(expected)) {
            notes.add("Sec-WebSocket-Accept matches the key: ok");
        } else {
            violations.add(new Violation("RFC 6455 4.1", "Sec-WebSocket-Accept is "
                    + (accepts.isEmpty() ? "missing" : "not " + expected + " (the hash of the key)"), mustFail, 0));
        }
        headers.first("Sec-WebSocket-Protocol").ifPresent(p -> notes.add("subprotocol " + p));

        List<String> offered = new ArrayList<>();
        try {
            for (ExtensionOffer offer : HeaderTokens.extensions(request.headers())) {
                offered.add(offer.name().toLowerCase(Locale.ROOT));
            }
        } catch (HandshakeException e) {
            // already flagged on the request
        }
        DeflateParameters deflate = null;
        int foreignRsv = 0;
        List<ExtensionOffer> accepted;
        try {
            accepted = HeaderTokens.extensions(headers);
        } catch (HandshakeException e) {
            violations.add(new Violation("RFC 6455 9.1", "Sec-WebSocket-Extensions is malformed", mustFail, 0));
            accepted = List.of();
        }
        for (ExtensionOffer extension : accepted) {
            String name = extension.name().toLowerCase(Locale.ROOT);
            if (!offered.contains(name)) {
                violations.add(new Violation("RFC 6455 4.1", "the server accepted " + extension.name()
                        + ", which the client did not offer", mustFail, 0));
            }
            if (!name.equals(PerMessageDeflate.NAME)) {
                // RFC 6455 9: an extension we cannot decode may use any RSV bit.
                foreignRsv = 0x70;
                notes.add("extension " + extension.toHeaderValue() + " is not decoded");
                continue;
            }
            if (deflate != null) {
                violations.add(new Violation("RFC 7692 5.1", "permessage-deflate accepted twice", mustFail, 0));
                continue;
            }
            try {
                deflate = DeflateParameters.of(entries(extension));
                notes.add(describe(deflate));
            } catch (MalformedExtensionException e) {
                violations.add(new Violation("RFC 7692 7.1", "the accepted permessage-deflate is malformed: "
                        + e.getMessage(), mustFail, 0));
            }
        }
        if (deflate == null && foreignRsv == 0) {
            notes.add("no extensions: frames are not compressed");
        }
        return new Agreement(deflate, foreignRsv);
    }

    private static List<Map.Entry<String, String>> entries(ExtensionOffer extension) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (ExtensionParameter p : extension.params()) {
            params.add(new SimpleImmutableEntry<>(p.name().toLowerCase(Locale.ROOT), p.value()));
        }
        return params;
    }

    /** What the agreement means for each direction, in words. */
    static String describe(DeflateParameters agreed) {
        return "permessage-deflate agreed: client->server " + side(agreed.clientNoContextTakeover(),
                agreed.clientMaxWindowBits()) + "; server->client " + side(agreed.serverNoContextTakeover(),
                agreed.serverMaxWindowBits());
    }

    private static String side(boolean noContextTakeover, int windowBits) {
        int bits = windowBits > 0 ? windowBits : 15;
        return (noContextTakeover ? "no context takeover" : "context takeover") + ", window " + bits + " bits";
    }

    private static boolean isUpgrade(HttpRequest request) {
        return request.method().equals("GET") && hasToken(request.headers().all("Upgrade"), "websocket");
    }

    /** Whether a comma-separated header holds the token, ignoring case; lenient about syntax. */
    private static boolean hasToken(List<String> values, String token) {
        for (String value : values) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }
}
