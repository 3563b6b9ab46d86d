package dev.duplex.protocol.handshake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An incremental parser for one HTTP/1.1 head: a request head on a server, a response head on a
 * client. Feed it bytes as they arrive; it returns the head once the blank line that ends it has
 * been read, and {@code null} until then.
 *
 * <p>It consumes bytes up to and including that blank line and not one more: whatever follows in
 * the buffer (frames a client pipelined after its request, or frames a server sent in the same
 * read as its 101) is left there for the frame decoder (rows A17, B5). It works on any split of
 * the input, down to one byte per call, keeping only the current line between calls.
 *
 * <p>Strict, because a lenient parser that disagrees with a proxy in front of it about where a
 * field ends is how requests get smuggled:
 * <ul>
 *   <li>Lines end in CRLF. A CR not followed by LF is refused (RFC 9112 2.2). A bare LF is
 *       refused too, although RFC 9112 2.2 allows accepting it: every WebSocket client sends
 *       CRLF, so tolerance would buy nothing.
 *   <li>Field names are tokens with no whitespace before the colon, and obs-fold is refused
 *       (RFC 9112 5.1, 5.2: a server MUST answer 400 to both).
 *   <li>Control characters other than HTAB are refused anywhere in the head.
 *   <li>No empty lines are skipped before the start line (RFC 9112 2.2 allows it after a
 *       previous request; an upgrade request has none).
 * </ul>
 *
 * <p>The head is ISO-8859-1 on the wire (RFC 9110 5.5): names are tokens, hence ASCII; values
 * are decoded byte for byte, so obs-text reaches the caller as U+0080–U+00FF and is never
 * mistaken for UTF-8.
 *
 * <p>Every limit of {@link HeadLimits} is checked on the byte that would pass it, so the parser
 * never holds more than one line of at most the line limit, and runs in time linear in the
 * input. Failures throw {@link HandshakeException}: 414 for the request line, 431 for a field
 * line, the field count or the whole head, 400 for a malformed head, 505 for a request version
 * other than HTTP/1.1. After a failure or a finished head the parser refuses more input.
 *
 * <p>Not thread-safe: one parser belongs to one connection.
 *
 * @param <T> {@link HttpRequest} or {@link HttpResponse}
 */
public final class HttpHeadParser<T> {
    private enum State { START_LINE, FIELDS, DONE, FAILED }

    private static final int INITIAL_LINE_CAPACITY = 256;

    private final HeadLimits limits;
    private final StartLine<T> startLine;
    private final Headers.Builder fields = Headers.builder();
    private State state = State.START_LINE;
    private byte[] line = new byte[INITIAL_LINE_CAPACITY];
    private int lineLength;
    private boolean afterCr;
    private int headBytes;
    private int fieldCount;

    private HttpHeadParser(HeadLimits limits, StartLine<T> startLine) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.startLine = startLine;
    }

    /** A parser for the request head a client sends to a server. */
    public static HttpHeadParser<HttpRequest> forRequests(HeadLimits limits) {
        return new HttpHeadParser<>(limits, new RequestLine());
    }

    /** A parser for the response head a server sends back to a client. */
    public static HttpHeadParser<HttpResponse> forResponses(HeadLimits limits) {
        return new HttpHeadParser<>(limits, new StatusLine());
    }

    /**
     * Consumes bytes from {@code in}, from its position on, and returns the head once it is
     * complete; {@code in}'s position is then just past the blank line. Returns {@code null}
     * when every byte was consumed and the head is not finished yet.
     *
     * @throws HandshakeException if the head is malformed or passes a limit
     * @throws IllegalStateException if the head was already returned or a call already failed
     */
    public T feed(ByteBuffer in) {
        if (state == State.DONE || state == State.FAILED) {
            throw new IllegalStateException("the head parser is " + (state == State.DONE ? "done" : "failed"));
        }
        try {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (++headBytes > limits.maxHeadBytes()) {
                    throw new HandshakeException(431, "head longer than " + limits.maxHeadBytes() + " bytes");
                }
                if (afterCr) {
                    if (b != '\n') {
                        throw new HandshakeException(400, "CR not followed by LF");
                    }
                    afterCr = false;
                    T head = endOfLine();
                    if (head != null) {
                        state = State.DONE;
                        line = null;
                        return head;
                    }
                } else if (b == '\r') {
                    afterCr = true;
                } else if (b == '\n') {
                    throw new HandshakeException(400, "line ends in a bare LF");
                } else {
                    append(b);
                }
            }
            return null;
        } catch (RuntimeException e) {
            state = State.FAILED;
            line = null;
            throw e;
        }
    }

    /** Adds one byte of a line, after checking every limit and rule it could break. */
    private void append(byte b) {
        int c = b & 0xFF;
        if (!HttpSyntax.isFieldContent(c)) {
            throw new HandshakeException(400, "control character in head");
        }
        if (state == State.START_LINE) {
            if (lineLength == limits.maxRequestLineBytes()) {
                throw new HandshakeException(startLine.tooLongStatus(),
                        "start line longer than " + limits.maxRequestLineBytes() + " bytes");
            }
        } else {
            if (lineLength == 0) {
                if (fieldCount == limits.maxHeaderCount()) {
                    throw new HandshakeException(431, "more than " + limits.maxHeaderCount() + " header fields");
                }
                if (HttpSyntax.isOws(c)) {
                    throw new HandshakeException(400, "obs-fold in header field");
                }
            }
            if (lineLength == limits.maxHeaderLineBytes()) {
                throw new HandshakeException(431, "header field line longer than " + limits.maxHeaderLineBytes() + " bytes");
            }
        }
        if (lineLength == line.length) {
            int longest = Math.max(limits.maxRequestLineBytes(), limits.maxHeaderLineBytes());
            line = Arrays.copyOf(line, Math.min(line.length * 2, longest));
        }
        line[lineLength++] = b;
    }

    /** Handles a complete line (without its CRLF); returns the head when it was the blank line. */
    private T endOfLine() {
        try {
            if (state == State.START_LINE) {
                if (lineLength == 0) {
                    throw new HandshakeException(400, "empty line before the start line");
                }
                startLine.parse(line, lineLength);
                state = State.FIELDS;
                return null;
            }
            if (lineLength == 0) {
                return startLine.complete(fields.build());
            }
            parseField();
            fieldCount++;
            return null;
        } finally {
            lineLength = 0;
        }
    }

    /** RFC 9112 5: field-line = field-name ":" OWS field-value OWS. */
    private void parseField() {
        int colon = 0;
        while (colon < lineLength && HttpSyntax.isTchar(line[colon])) {
            colon++;
        }
        if (colon == lineLength || line[colon] != ':') {
            throw new HandshakeException(400, colon < lineLength && HttpSyntax.isOws(line[colon])
                    ? "whitespace between header name and colon"
                    : "header name is not a token followed by a colon");
        }
        if (colon == 0) {
            throw new HandshakeException(400, "empty header name");
        }
        String name = new String(line, 0, colon, StandardCharsets.US_ASCII); // tchars are ASCII
        String value = new String(line, colon + 1, lineLength - colon - 1, StandardCharsets.ISO_8859_1);
        fields.add(name, value); // trims the OWS around the value
    }
}
