package dev.duplex.protocol.extension;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one {@code permessage-deflate} element of {@code Sec-WebSocket-Extensions}
 * (RFC 7692 7.1), in an offer or in a response. {@link #parse(String)} and {@link #of(List)}
 * accept only well-formed elements; {@link #format()} writes one.
 *
 * <p>Window sizes are base-2 logarithms, 8 to 15, or {@link #ABSENT}; a client's offer may also
 * carry {@code client_max_window_bits} with no value ({@link #WITHOUT_VALUE}), which says that
 * it supports the parameter without limiting its own window (RFC 7692 7.1.2.2).
 *
 * @param serverNoContextTakeover the server resets its compression window after every message
 *     (RFC 7692 7.1.1.1)
 * @param clientNoContextTakeover the client resets its compression window after every message
 *     (RFC 7692 7.1.1.2)
 * @param serverMaxWindowBits the largest window the server compresses with (RFC 7692 7.1.2.1),
 *     or {@link #ABSENT}
 * @param clientMaxWindowBits the largest window the client compresses with (RFC 7692 7.1.2.2),
 *     {@link #ABSENT}, or {@link #WITHOUT_VALUE}
 */
public record DeflateParameters(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                                int serverMaxWindowBits, int clientMaxWindowBits) {

    /** A window size parameter that is not there. */
    public static final int ABSENT = 0;
    /** {@code client_max_window_bits} present with no value; valid only in a client's offer. */
    public static final int WITHOUT_VALUE = -1;

    static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";

    /** Checks the window sizes; a bad one is a programming error here, not a peer's. */
    public DeflateParameters {
        if (serverMaxWindowBits != ABSENT && !isWindowBits(serverMaxWindowBits)) {
            throw new IllegalArgumentException("serverMaxWindowBits must be ABSENT or 8..15");
        }
        if (clientMaxWindowBits != ABSENT && clientMaxWindowBits != WITHOUT_VALUE
                && !isWindowBits(clientMaxWindowBits)) {
            throw new IllegalArgumentException("clientMaxWindowBits must be ABSENT, WITHOUT_VALUE or 8..15");
        }
    }

    /**
     * Reads one header element such as {@code permessage-deflate; client_max_window_bits}: the
     * extension token, then parameters separated by {@code ;}, each a token with an optional
     * {@code =} and a token or quoted-string value (RFC 6455 9.1). Whitespace around {@code ;}
     * and {@code =} is allowed. Runs in time linear in the input.
     *
     * @throws MalformedExtensionException if the element is not a well-formed
     *     {@code permessage-deflate} element (see {@link #of(List)})
     */
    public static DeflateParameters parse(String element) {
        ElementReader reader = new ElementReader(element);
        reader.skipSpace();
        if (!PerMessageDeflate.NAME.equals(reader.token())) {
            throw new MalformedExtensionException("not a permessage-deflate element");
        }
        List<Map.Entry<String, String>> params = new ArrayList<>();
        reader.skipSpace();
        while (!reader.atEnd()) {
            reader.expect(';');
            reader.skipSpace();
            String name = reader.token();
            if (name.isEmpty()) {
                throw new MalformedExtensionException("parameter name missing");
            }
            reader.skipSpace();
            String value = null;
            if (reader.accept('=')) {
                reader.skipSpace();
                value = reader.peekQuote() ? reader.quotedString() : reader.token();
                if (value.isEmpty()) {
                    throw new MalformedExtensionException("parameter value missing");
                }
                reader.skipSpace();
            }
            params.add(new SimpleImmutableEntry<>(name, value));
        }
        return of(params);
    }

    /**
     * Interprets parameters already split from their element, in order, each a name and a
     * value that is null when the parameter has none (quoted values already unquoted). This is
     * the form a handshake parser hands over.
     *
     * @throws MalformedExtensionException on an unknown or repeated parameter, a value on a
     *     no_context_takeover parameter, {@code server_max_window_bits} without a value, or a
     *     window size that is not exactly one of {@code 8} to {@code 15} (no sign, no leading
     *     zero) (RFC 7692 7.1, row A13)
     */
    public static DeflateParameters of(List<? extends Map.Entry<String, String>> params) {
        boolean serverNoContext = false;
        boolean clientNoContext = false;
        int serverBits = ABSENT;
        int clientBits = ABSENT;
        for (Map.Entry<String, String> param : params) {
            String name = param.getKey();
            String value = param.getValue();
            if (name == null) {
                throw new MalformedExtensionException("parameter name missing");
            }
            switch (name) {
                case SERVER_NO_CONTEXT_TAKEOVER -> {
                    requireFirst(!serverNoContext, name);
                    requireNoValue(value, name);
                    serverNoContext = true;
                }
                case CLIENT_NO_CONTEXT_TAKEOVER -> {
                    requireFirst(!clientNoContext, name);
                    requireNoValue(value, name);
                    clientNoContext = true;
                }
                case SERVER_MAX_WINDOW_BITS -> {
                    requireFirst(serverBits == ABSENT, name);
                    if (value == null) {
                        throw new MalformedExtensionException(name + " needs a value");
                    }
                    serverBits = windowBits(value, name);
                }
                case CLIENT_MAX_WINDOW_BITS -> {
                    requireFirst(clientBits == ABSENT, name);
                    clientBits = value == null ? WITHOUT_VALUE : windowBits(value, name);
                }
                // RFC 7692 7.1: an unknown parameter makes the element invalid, not ignorable.
                default -> throw new MalformedExtensionException("unknown permessage-deflate parameter");
            }
        }
        return new DeflateParameters(serverNoContext, clientNoContext, serverBits, clientBits);
    }

    /**
     * The parameters as name and value pairs, in the order {@link #format()} writes them; a
     * parameter without a value has a null value. This is the form a handshake writer takes.
     */
    public List<Map.Entry<String, String>> parameters() {
        List<Map.Entry<String, String>> params = new ArrayList<>(4);
        if (serverNoContextTakeover) {
            params.add(new SimpleImmutableEntry<>(SERVER_NO_CONTEXT_TAKEOVER, null));
        }
        if (clientNoContextTakeover) {
            params.add(new SimpleImmutableEntry<>(CLIENT_NO_CONTEXT_TAKEOVER, null));
        }
        if (serverMaxWindowBits != ABSENT) {
            params.add(new SimpleImmutableEntry<>(SERVER_MAX_WINDOW_BITS, Integer.toString(serverMaxWindowBits)));
        }
        if (clientMaxWindowBits != ABSENT) {
            params.add(new SimpleImmutableEntry<>(CLIENT_MAX_WINDOW_BITS,
                    clientMaxWindowBits == WITHOUT_VALUE ? null : Integer.toString(clientMaxWindowBits)));
        }
        return List.copyOf(params);
    }

    /**
     * The element as it goes on the wire, e.g.
     * {@code permessage-deflate; server_no_context_takeover; client_max_window_bits=10}.
     */
    public String format() {
        StringBuilder sb = new StringBuilder(PerMessageDeflate.NAME);
        for (Map.Entry<String, String> param : parameters()) {
            sb.append("; ").append(param.getKey());
            if (param.getValue() != null) {
                sb.append('=').append(param.getValue());
            }
        }
        return sb.toString();
    }

    static boolean isWindowBits(int bits) {
        return bits >= 8 && bits <= 15;
    }

    private static void requireFirst(boolean first, String name) {
        if (!first) {
            throw new MalformedExtensionException("repeated parameter: " + name);
        }
    }

    private static void requireNoValue(String value, String name) {
        if (value != null) {
            throw new MalformedExtensionException(name + " takes no value");
        }
    }

    /** RFC 7692 7.1.2: 1*DIGIT from 8 to 15; we read "leading zeros" and signs as malformed. */
    private static int windowBits(String value, String name) {
        int bits = switch (value) {
            case "8" -> 8;
            case "9" -> 9;
            case "10" -> 10;
            case "11" -> 11;
            case "12" -> 12;
            case "13" -> 13;
            case "14" -> 14;
            case "15" -> 15;
            default -> -1;
        };
        if (bits < 0) {
            throw new MalformedExtensionException(name + " must be a number from 8 to 15");
        }
        return bits;
    }

    /** A cursor over one header element; every method moves forward only, so parsing is linear. */
    private static final class ElementReader {
        private final String s;
        private int pos;

        ElementReader(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos == s.length();
        }

        void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        boolean accept(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!accept(c)) {
                throw new MalformedExtensionException("expected '" + c + "' between parameters");
            }
        }

        boolean peekQuote() {
            return pos < s.length() && s.charAt(pos) == '"';
        }

        /** RFC 7230 3.2.6 token; empty when none is here. */
        String token() {
            int start = pos;
            while (pos < s.length() && isTokenChar(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        /** RFC 7230 3.2.6 quoted-string, unescaped; RFC 6455 9.1 wants a token inside it. */
        String quotedString() {
            pos++; // the opening quote
            StringBuilder value = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    String v = value.toString();
                    for (int i = 0; i < v.length(); i++) {
                        if (!isTokenChar(v.charAt(i))) {
                            throw new MalformedExtensionException("quoted value is not a token");
                        }
                    }
                    return v;
                }
                if (c == '\\') {
                    if (pos == s.length()) {
                        break;
                    }
                    c = s.charAt(pos++);
                }
                value.append(c);
            }
            throw new MalformedExtensionException("unterminated quoted-string");
        }

        private static boolean isTokenChar(char c) {
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                return true;
            }
            return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }
    }
}
