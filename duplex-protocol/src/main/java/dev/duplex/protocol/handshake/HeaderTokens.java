package dev.duplex.protocol.handshake;

import java.util.ArrayList;
import java.util.List;

/**
 * Parsers for the list-valued header fields of the handshake: plain token lists
 * ({@code Connection}, {@code Sec-WebSocket-Protocol}), protocol lists ({@code Upgrade}) and
 * extension lists ({@code Sec-WebSocket-Extensions}).
 *
 * <p>Each is one left-to-right pass with no backtracking and no regular expression, so the time
 * is linear in the input whatever it holds: a {@code Sec-WebSocket-Protocol} of {@code b},
 * a hundred thousand spaces and {@code x} is refused after one look at each character (row A12;
 * Node's ws had a ReDoS there, CVE-2021-32640).
 *
 * <p>A malformed value throws {@link HandshakeException} with status 400. Empty list elements
 * ({@code a, , b}) are skipped, as RFC 9110 5.6.1 asks of recipients. Tokens come back spelled as
 * sent; callers compare them as their own rules say ({@code equalsIgnoreCase} for
 * {@code Upgrade} and {@code Connection}, exactly for subprotocols).
 */
public final class HeaderTokens {
    private HeaderTokens() {}

    /**
     * The tokens of a {@code #token} list (RFC 9110 5.6.1), such as a {@code Connection} value.
     *
     * @throws HandshakeException with 400 if an element is not a single token
     */
    public static List<String> tokenList(String value) {
        List<String> out = new ArrayList<>();
        parseList(value, false, "token list", out);
        return out;
    }

    /**
     * Every subprotocol offered in all {@code Sec-WebSocket-Protocol} fields, in order (RFC 6455
     * 4.1 item 10, 11.3.4: {@code 1#token}). An empty field offers nothing.
     *
     * @throws HandshakeException with 400 if an element is not a single token
     */
    public static List<String> subprotocols(Headers headers) {
        List<String> out = new ArrayList<>();
        for (String value : headers.all("Sec-WebSocket-Protocol")) {
            parseList(value, false, "Sec-WebSocket-Protocol", out);
        }
        return out;
    }

    /**
     * Every element of all {@code Sec-WebSocket-Extensions} fields, in order, by the grammar of
     * RFC 6455 9.1:
     * <pre>
     * extension       = extension-token *( ";" extension-param )
     * extension-param = token [ "=" (token | quoted-string) ]
     * </pre>
     * with optional whitespace around the separators, as the implied linear whitespace of the
     * RFC 2616 grammar that RFC 6455 uses allows. A quoted value must unquote to a token (RFC 6455
     * 9.1) and is returned unquoted.
     *
     * @throws HandshakeException with 400 for a missing or non-token name, or an unclosed or
     *     non-token quoted value (row A13); a parameter named twice is the extension's to judge
     */
    public static List<ExtensionOffer> extensions(Headers headers) {
        List<ExtensionOffer> out = new ArrayList<>();
        for (String value : headers.all("Sec-WebSocket-Extensions")) {
            new ExtensionListParser(value).parseInto(out);
        }
        return out;
    }

    /**
     * The protocols of an {@code Upgrade} value: {@code #protocol}, where protocol = token
     * ["/" token] (RFC 9110 7.8), such as {@code websocket} or {@code HTTP/2.0}.
     */
    static List<String> protocolList(String value) {
        List<String> out = new ArrayList<>();
        parseList(value, true, "Upgrade", out);
        return out;
    }

    /** Every token of every field with this name (RFC 9110 5.3: repeated fields form one list). */
    static List<String> tokens(Headers headers, String name) {
        List<String> out = new ArrayList<>();
        for (String value : headers.all(name)) {
            parseList(value, false, name, out);
        }
        return out;
    }

    /** Whether a token equals {@code wanted}, ignoring ASCII case. */
    static boolean containsIgnoreCase(List<String> tokens, String wanted) {
        for (String t : tokens) {
            if (t.equalsIgnoreCase(wanted)) return true;
        }
        return false;
    }

    private static void parseList(String s, boolean protocols, String what, List<String> out) {
        int n = s.length();
        int i = 0;
        while (true) {
            i = skipOws(s, i);
            if (i == n) return;
            if (s.charAt(i) == ',') {
                i++;
                continue;
            }
            int start = i;
            i = skipToken(s, i);
            if (i == start) throw malformed(what);
            if (protocols && i < n && s.charAt(i) == '/') {
                int versionStart = ++i;
                i = skipToken(s, i);
                if (i == versionStart) throw malformed(what);
            }
            out.add(s.substring(start, i));
            i = skipOws(s, i);
            if (i == n) return;
            if (s.charAt(i) != ',') throw malformed(what);
            i++;
        }
    }

    static int skipOws(String s, int i) {
        while (i < s.length() && HttpSyntax.isOws(s.charAt(i))) i++;
        return i;
    }

    static int skipToken(String s, int i) {
        while (i < s.length() && HttpSyntax.isTchar(s.charAt(i))) i++;
        return i;
    }

    static HandshakeException malformed(String what) {
        return new HandshakeException(400, "malformed " + what);
    }

    /** One pass over one {@code Sec-WebSocket-Extensions} value. */
    private static final class ExtensionListParser {
        private static final String WHAT = "Sec-WebSocket-Extensions";
        private final String s;
        private int i;

        ExtensionListParser(String s) {
            this.s = s;
        }

        void parseInto(List<ExtensionOffer> out) {
            int n = s.length();
            while (true) {
                i = skipOws(s, i);
                if (i == n) return;
                if (s.charAt(i) == ',') {
                    i++;
                    continue;
                }
                out.add(element());
                if (i == n) return;
                if (s.charAt(i) != ',') throw malformed(WHAT);
                i++;
            }
        }

        /** extension-token *( ";" extension-param ), leaving i after trailing OWS. */
        private ExtensionOffer element() {
            String name = token();
            List<ExtensionParameter> params = new ArrayList<>();
            // A parameter named twice is well formed here: what it means is the extension's to
            // judge, and RFC 7692 5 has a server decline such an offer, not refuse the request.
            i = skipOws(s, i);
            while (i < s.length() && s.charAt(i) == ';') {
                i = skipOws(s, i + 1);
                String paramName = token();
                i = skipOws(s, i);
                String value = null;
                if (i < s.length() && s.charAt(i) == '=') {
                    i = skipOws(s, i + 1);
                    value = i < s.length() && s.charAt(i) == '"' ? quotedToken() : token();
                    i = skipOws(s, i);
                }
                params.add(new ExtensionParameter(paramName, value));
            }
            return new ExtensionOffer(name, params);
        }

        private String token() {
            int start = i;
            i = skipToken(s, i);
            if (i == start) throw malformed(WHAT);
            return s.substring(start, i);
        }

        /** RFC 9110 5.6.4 quoted-string, which RFC 6455 9.1 requires to unquote to a token. */
        private String quotedToken() {
            StringBuilder sb = new StringBuilder();
            i++; // the opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    if (!HttpSyntax.isToken(sb)) throw malformed(WHAT + " (quoted value is not a token)");
                    return sb.toString();
                }
                if (c == '\\') {
                    if (i == s.length()) break;
                    c = s.charAt(i++);
                }
                if (!HttpSyntax.isFieldContent(c)) throw malformed(WHAT);
                sb.append(c);
            }
            throw malformed(WHAT + " (unclosed quoted-string)");
        }
    }
}
