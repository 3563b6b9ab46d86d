package dev.duplex.protocol.handshake;

import java.nio.charset.StandardCharsets;

/**
 * The request line: {@code method SP request-target SP HTTP-version} (RFC 9112 3), with exactly
 * one space between the parts. Anything else is 400, a well-formed version other than HTTP/1.1
 * is 505: RFC 6455 4.2.1 item 1 requires HTTP/1.1 or higher, HTTP/1.0 has no Upgrade (RFC 9110
 * 7.8), and a later version does not arrive as HTTP/1 text (row A2).
 */
final class RequestLine implements StartLine<HttpRequest> {
    private String method;
    private String target;
    private String version;

    @Override
    public void parse(byte[] line, int length) {
        int sp1 = indexOf(line, 0, length, (byte) ' ');
        if (sp1 <= 0) {
            throw new HandshakeException(400, "malformed request line");
        }
        int sp2 = indexOf(line, sp1 + 1, length, (byte) ' ');
        if (sp2 < 0 || sp2 == sp1 + 1) {
            throw new HandshakeException(400, "malformed request line");
        }
        for (int i = 0; i < sp1; i++) {
            if (!HttpSyntax.isTchar(line[i])) {
                throw new HandshakeException(400, "request method is not a token");
            }
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            if (!isTargetChar(line[i])) {
                throw new HandshakeException(400, "request target holds a forbidden character");
            }
        }
        if (!StartLine.isHttpVersion(line, sp2 + 1, length)) {
            throw new HandshakeException(400, "malformed HTTP version in request line");
        }
        method = ascii(line, 0, sp1);
        target = ascii(line, sp1 + 1, sp2);
        version = ascii(line, sp2 + 1, length);
        if (!version.equals("HTTP/1.1")) {
            throw new HandshakeException(505, "HTTP version is not 1.1");
        }
    }

    @Override
    public HttpRequest complete(Headers headers) {
        return new HttpRequest(method, target, version, headers);
    }

    @Override
    public int tooLongStatus() {
        return 414; // RFC 9110 15.5.15: the target is what makes a request line long
    }

    /**
     * Visible ASCII except {@code #}. RFC 3986 allows fewer characters, but browsers send some of
     * the others ({@code |}, {@code ^}, {@code `}, braces) unescaped in paths and queries, and
     * refusing them buys nothing: the target is never interpreted beyond {@code ?} and percent
     * escapes. A fragment is never sent (RFC 6455 3), and controls, spaces and non-ASCII bytes
     * are refused.
     */
    private static boolean isTargetChar(byte b) {
        return b >= 0x21 && b <= 0x7E && b != '#';
    }

    private static int indexOf(byte[] line, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (line[i] == b) return i;
        }
        return -1;
    }

    private static String ascii(byte[] line, int from, int to) {
        return new String(line, from, to - from, StandardCharsets.US_ASCII); // checked ASCII above
    }
}
