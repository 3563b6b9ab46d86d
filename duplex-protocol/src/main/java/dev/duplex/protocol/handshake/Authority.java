package dev.duplex.protocol.handshake;

import java.util.Locale;

/**
 * A host and optional port, as in a {@code Host} field (RFC 9110 7.2) or the authority of a
 * serialised origin (RFC 6454 6.2). Strict: a DNS name, IPv4 address or bracketed IPv6 address,
 * and a port of 1–5 digits up to 65535. No user information, no percent escapes, no empty port:
 * none of them appear in what browsers send, and each would be one more way to spell the same
 * authority, which is what an origin comparison must not have.
 *
 * @param host the host, lower-cased; an IPv6 address keeps its brackets
 * @param port the port, or -1 when none was given
 */
record Authority(String host, int port) {

    /** The authority spelled by {@code text}, or {@code null} when it is not one. */
    static Authority parse(String text) {
        int n = text.length();
        int hostEnd;
        if (n > 0 && text.charAt(0) == '[') {
            hostEnd = text.indexOf(']');
            if (hostEnd < 2) return null;
            for (int i = 1; i < hostEnd; i++) {
                char c = text.charAt(i);
                if (!(isHexDigit(c) || c == ':' || c == '.')) return null;
            }
            hostEnd++;
        } else {
            hostEnd = 0;
            while (hostEnd < n && isRegNameChar(text.charAt(hostEnd))) hostEnd++;
            if (hostEnd == 0) return null;
        }
        int port = -1;
        if (hostEnd < n) {
            if (text.charAt(hostEnd) != ':' || n - hostEnd - 1 < 1 || n - hostEnd - 1 > 5) return null;
            port = 0;
            for (int i = hostEnd + 1; i < n; i++) {
                char c = text.charAt(i);
                if (c < '0' || c > '9') return null;
                port = port * 10 + (c - '0');
            }
            if (port > 65535) return null;
        }
        return new Authority(text.substring(0, hostEnd).toLowerCase(Locale.ROOT), port);
    }

    /** RFC 3986 3.2.2 reg-name, restricted to unreserved characters. */
    private static boolean isRegNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** {@code host} or {@code host:port}. */
    @Override
    public String toString() {
        return port < 0 ? host : host + ":" + port;
    }
}
