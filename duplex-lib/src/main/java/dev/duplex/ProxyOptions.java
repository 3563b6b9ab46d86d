package dev.duplex;

import java.net.ProxySelector;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a {@link WebSocketClient} goes to reach a server: straight there, through an HTTP proxy
 * with {@code CONNECT} (RFC 9110 9.3.6), through a SOCKS5 proxy (RFC 1928, with RFC 1929
 * username and password when given), or wherever a {@link ProxySelector} says.
 *
 * <p>The default, {@link #SYSTEM}, asks {@link ProxySelector#getDefault()} for each connection
 * (with {@code https://host:port} for {@code wss} and {@code http://host:port} for {@code ws}),
 * so {@code -Dhttps.proxyHost}, {@code -Dhttp.proxyHost}, {@code -DsocksProxyHost} and
 * {@code -Djava.net.useSystemProxies} work as they do for the JDK's own clients.
 *
 * <p>Through any proxy, {@code wss} is TLS end to end: the proxy relays bytes it cannot read, and
 * the client checks the server's certificate against the server's host name (SNI included),
 * never the proxy's. The host name goes to the proxy unresolved, so the proxy resolves it.
 *
 * <p>Credentials go only to the proxy. {@link #toString()} and every exception and log line
 * leave them out. Immutable; a class rather than a record so that no accessor hands out the
 * password.
 */
public final class ProxyOptions {
    /** How the connection reaches the server. */
    public enum Type {
        /** A TCP connection straight to the server. */
        DIRECT,
        /** An HTTP proxy, asked with {@code CONNECT host:port}. */
        HTTP,
        /** A SOCKS5 proxy. */
        SOCKS5,
        /** Whatever a {@link ProxySelector} picks for each connection. */
        SELECTOR
    }

    /** No proxy, whatever the system properties say. */
    public static final ProxyOptions DIRECT = new ProxyOptions(Type.DIRECT, null, -1, null, null, null);
    /** The JDK's default {@link ProxySelector}, read at each connect: the default. */
    public static final ProxyOptions SYSTEM = new ProxyOptions(Type.SELECTOR, null, -1, null, null, null);

    private final Type type;
    private final String host;
    private final int port;
    private final String username;
    private final char[] password;
    private final ProxySelector selector;

    private ProxyOptions(Type type, String host, int port, String username, char[] password, ProxySelector selector) {
        this.type = type;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.selector = selector;
    }

    /** An HTTP proxy at {@code host:port}, without credentials. */
    public static ProxyOptions http(String host, int port) {
        return new ProxyOptions(Type.HTTP, checkHost(host), checkPort(port), null, null, null);
    }

    /** A SOCKS5 proxy at {@code host:port}, without credentials. */
    public static ProxyOptions socks5(String host, int port) {
        return new ProxyOptions(Type.SOCKS5, checkHost(host), checkPort(port), null, null, null);
    }

    /** The proxy that {@code selector} picks for each connection; its first HTTP or SOCKS answer is used. */
    public static ProxyOptions selector(ProxySelector selector) {
        return new ProxyOptions(Type.SELECTOR, null, -1, null, null, Objects.requireNonNull(selector, "selector"));
    }

    /**
     * A proxy written as a URI, as curl and the {@code *_PROXY} variables write them:
     * {@code http://[user:password@]host[:port]} (port 80 by default, 3128 is common) or
     * {@code socks5://[user:password@]host[:port]} (port 1080 by default); {@code socks5h} is
     * taken as {@code socks5}, since the host name always goes to the proxy unresolved. User and
     * password are percent-decoded.
     *
     * @throws IllegalArgumentException for another scheme or a URI without a host; the message
     *     never repeats the credentials
     */
    public static ProxyOptions parse(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri.contains("://") ? uri : "http://" + uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a proxy URI (expected http://host:port or socks5://host:port)");
        }
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        if (parsed.getHost() == null) {
            throw new IllegalArgumentException("the proxy URI has no host");
        }
        String h = parsed.getHost();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        ProxyOptions proxy = switch (scheme) {
            case "http" -> http(h, parsed.getPort() < 0 ? 80 : parsed.getPort());
            case "socks5", "socks5h" -> socks5(h, parsed.getPort() < 0 ? 1080 : parsed.getPort());
            default -> throw new IllegalArgumentException("proxy scheme " + scheme + " is not supported; use http or socks5");
        };
        String userInfo = parsed.getRawUserInfo();
        if (userInfo == null) {
            return proxy;
        }
        int colon = userInfo.indexOf(':');
        String user = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String pass = colon < 0 ? "" : percentDecode(userInfo.substring(colon + 1));
        return proxy.withCredentials(user, pass.toCharArray());
    }

    /**
     * The same proxy with a username and password: {@code Proxy-Authorization: Basic} for HTTP
     * (RFC 7617), username/password authentication for SOCKS5 (RFC 1929). The password is copied.
     *
     * @throws IllegalStateException for {@link Type#DIRECT} or {@link Type#SELECTOR}
     * @throws IllegalArgumentException for SOCKS5 credentials over 255 bytes each (RFC 1929)
     */
    public ProxyOptions withCredentials(String username, char[] password) {
        if (type != Type.HTTP && type != Type.SOCKS5) {
            throw new IllegalStateException("credentials need an HTTP or SOCKS5 proxy");
        }
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (type == Type.SOCKS5 && (username.getBytes(StandardCharsets.UTF_8).length > 255
                || new String(password).getBytes(StandardCharsets.UTF_8).length > 255)) {
            throw new IllegalArgumentException("SOCKS5 usernames and passwords are at most 255 bytes (RFC 1929)");
        }
        return new ProxyOptions(type, host, port, username, password.clone(), null);
    }

    public Type type() {
        return type;
    }

    /** The proxy's host, or null for {@link Type#DIRECT} and {@link Type#SELECTOR}. */
    public String host() {
        return host;
    }

    /** The proxy's port, or -1 for {@link Type#DIRECT} and {@link Type#SELECTOR}. */
    public int port() {
        return port;
    }

    /** The selector of a {@link Type#SELECTOR} proxy: the given one, or the JDK's default now. */
    public ProxySelector selector() {
        return selector != null ? selector : ProxySelector.getDefault();
    }

    /** Whether a username and password were given. */
    public boolean hasCredentials() {
        return username != null;
    }

    /** The username, or null; not a secret on its own, but never logged either. */
    public String username() {
        return username;
    }

    /** A copy of the password, or null. The caller should clear it after use. */
    public char[] password() {
        return password == null ? null : password.clone();
    }

    /** Type, host and port; never the credentials. */
    @Override
    public String toString() {
        return switch (type) {
            case DIRECT -> "ProxyOptions[direct]";
            case SELECTOR -> "ProxyOptions[" + (selector == null ? "system default selector" : "selector") + "]";
            case HTTP, SOCKS5 -> "ProxyOptions[" + type.name().toLowerCase(Locale.ROOT) + "://" + authority()
                    + (username == null ? "" : ", with credentials") + "]";
        };
    }

    /** {@code host:port}, IPv6 literals in brackets. */
    String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyOptions p && type == p.type && Objects.equals(host, p.host) && port == p.port
                && Objects.equals(username, p.username) && Arrays.equals(password, p.password)
                && Objects.equals(selector, p.selector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, host, port, username, selector);
    }

    /** RFC 3986 2.1 percent-decoding; a '+' stays a '+', unlike in a form. */
    private static String percentDecode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String checkHost(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the proxy needs a host");
        }
        return host;
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("proxy port must be 1-65535, not " + port);
        }
        return port;
    }
}
