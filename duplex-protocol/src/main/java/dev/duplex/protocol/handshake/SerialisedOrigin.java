package dev.duplex.protocol.handshake;

import java.util.Locale;

/**
 * An origin as a browser serialises it in the {@code Origin} field: {@code scheme://host} with an
 * optional {@code :port} and nothing else (RFC 6454 6.2, 7). The scheme and host are lower-cased
 * and a port equal to the scheme's default is dropped, so that two spellings of one origin are
 * equal records and two different origins never are (RFC 6454 5: origins compare by exact
 * equality of their parts; never by prefix or substring).
 *
 * @param scheme the scheme, lower-cased
 * @param host the host, lower-cased
 * @param port the port, or -1 when it is the scheme's default or none was given
 */
record SerialisedOrigin(String scheme, String host, int port) {

    /** The origin serialised as {@code value}, or {@code null} when it is not one. */
    static SerialisedOrigin parse(String value) {
        int sep = value.indexOf("://");
        if (sep <= 0 || !isScheme(value, sep)) return null;
        String scheme = value.substring(0, sep).toLowerCase(Locale.ROOT);
        Authority authority = Authority.parse(value.substring(sep + 3));
        if (authority == null) return null;
        int port = authority.port() == defaultPort(scheme) ? -1 : authority.port();
        return new SerialisedOrigin(scheme, authority.host(), port);
    }

    /** RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
    private static boolean isScheme(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    /** The default port of the web schemes; -1 for any other. */
    static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
    }

    /** The port in use: the explicit one, or the scheme's default. */
    int effectivePort() {
        return port >= 0 ? port : defaultPort(scheme);
    }

    @Override
    public String toString() {
        return scheme + "://" + host + (port < 0 ? "" : ":" + port);
    }
}
