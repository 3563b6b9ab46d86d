package dev.duplex.protocol.handshake;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP request head as {@link HttpHeadParser#forRequests} parsed it.
 *
 * @param method the method token, case-sensitive (RFC 9110 9.1), e.g. {@code GET}
 * @param target the request-target exactly as sent (RFC 9112 3.2), undecoded
 * @param version the protocol version, e.g. {@code HTTP/1.1}
 * @param headers the header fields
 */
public record HttpRequest(String method, String target, String version, Headers headers) {

    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(headers, "headers");
    }

    /**
     * The path of the target, still percent-encoded, without the query. For the origin-form
     * ({@code /chat?room=1}) that is everything before the first {@code ?}; for the absolute-form
     * ({@code http://host/chat?room=1}, RFC 9112 3.2.2) it is the path after the authority, or
     * {@code /} when there is none; any other form (such as {@code *}) is returned as it is.
     */
    public String path() {
        String t = target;
        if (!t.startsWith("/")) {
            int scheme = t.indexOf("://");
            if (scheme <= 0) return t;
            int slash = t.indexOf('/', scheme + 3);
            int question = t.indexOf('?', scheme + 3);
            if (slash < 0 || (question >= 0 && question < slash)) return "/";
            t = t.substring(slash);
        }
        int question = t.indexOf('?');
        return question < 0 ? t : t.substring(0, question);
    }

    /** The raw query after the first {@code ?}, still percent-encoded; empty when there is none. */
    public String query() {
        int question = target.indexOf('?');
        return question < 0 ? "" : target.substring(question + 1);
    }

    /**
     * The value of the first query parameter named {@code name}, percent-decoded as UTF-8. The
     * query is read as {@code name=value} pairs separated by {@code &}; a pair without {@code =}
     * has the empty value. Only percent escapes are decoded: {@code +} stays a plus sign, since
     * it is literal in a URI (RFC 3986 2.2) and base64 tokens use it.
     *
     * <p>Strict: when the first pair with this name has a malformed escape ({@code %zz}, a
     * truncated {@code %4}) or decodes to invalid UTF-8, the answer is empty rather than a
     * guess, so a ticket or token check fails closed.
     */
    public Optional<String> queryParameter(String name) {
        Objects.requireNonNull(name, "name");
        String q = query();
        int start = 0;
        while (start <= q.length()) {
            int end = q.indexOf('&', start);
            if (end < 0) end = q.length();
            int nameEnd = start;
            while (nameEnd < end && q.charAt(nameEnd) != '=') nameEnd++; // within the pair: linear
            if (end > start && name.equals(percentDecode(q, start, nameEnd))) {
                return nameEnd == end
                        ? Optional.of("")
                        : Optional.ofNullable(percentDecode(q, nameEnd + 1, end));
            }
            start = end + 1;
        }
        return Optional.empty();
    }

    /** Method, path and header names; the query and the values may hold tickets, so not them. */
    @Override
    public String toString() {
        return "HttpRequest[" + method + " " + path() + (query().isEmpty() ? "" : "?…") + " " + version
                + ", " + headers + "]";
    }

    /** RFC 3986 2.1: HEXDIG, ASCII only (Character.digit would also take other scripts' digits). */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** The decoded text of s[from, to), or null when an escape or the UTF-8 is malformed. */
    private static String percentDecode(String s, int from, int to) {
        ByteBuffer bytes = ByteBuffer.allocate(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= to) return null;
                int hi = hexValue(s.charAt(i + 1));
                int lo = hexValue(s.charAt(i + 2));
                if (hi < 0 || lo < 0) return null;
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c > 0x7F) {
                return null; // the parser admits only ASCII targets; anything else is not ours
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
