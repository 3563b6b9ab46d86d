package dev.duplex.internal.transport;

import dev.duplex.ProxyOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * How one connection reaches its server: the proxy {@link ProxyOptions} names, or the one its
 * {@link ProxySelector} picks for the server's URI, or none.
 *
 * @param proxy an {@link ProxyOptions.Type#HTTP} or {@link ProxyOptions.Type#SOCKS5} proxy,
 *     or null to connect directly
 * @param selector the selector that chose it, told when the proxy cannot be reached; or null
 * @param selectedFor the URI the selector was asked about
 */
record ProxyRoute(ProxyOptions proxy, ProxySelector selector, URI selectedFor) {
    private static final ProxyRoute DIRECT = new ProxyRoute(null, null, null);

    /**
     * The route for a connection to {@code host:port}. A selector is asked about
     * {@code https://host:port} for wss and {@code http://host:port} for ws, as the JDK's own
     * WebSocket client asks, so {@code https.proxyHost} and {@code http.proxyHost} (and their
     * {@code nonProxyHosts}) apply; its first HTTP or SOCKS answer is taken, a DIRECT one first
     * means no proxy.
     */
    static ProxyRoute choose(ProxyOptions options, boolean secure, String host, int port) {
        return switch (options.type()) {
            case DIRECT -> DIRECT;
            case HTTP, SOCKS5 -> new ProxyRoute(options, null, null);
            case SELECTOR -> {
                ProxySelector selector = options.selector();
                if (selector == null) {
                    yield DIRECT;
                }
                String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
                URI uri = URI.create((secure ? "https" : "http") + "://" + authority);
                List<Proxy> proxies = selector.select(uri);
                for (Proxy p : proxies == null ? List.<Proxy>of() : proxies) {
                    if (p.type() == Proxy.Type.DIRECT) {
                        yield DIRECT;
                    }
                    if (p.address() instanceof InetSocketAddress address) {
                        ProxyOptions chosen = p.type() == Proxy.Type.HTTP
                                ? ProxyOptions.http(address.getHostString(), address.getPort())
                                : ProxyOptions.socks5(address.getHostString(), address.getPort());
                        yield new ProxyRoute(chosen, selector, uri);
                    }
                }
                yield DIRECT;
            }
        };
    }

    /** Asks the proxy on {@code socket} for a tunnel to the server. */
    void openTunnel(Socket socket, String host, int port) throws IOException {
        if (proxy.type() == ProxyOptions.Type.HTTP) {
            HttpConnectTunnel.open(socket, proxy, host, port);
        } else {
            Socks5Tunnel.open(socket, proxy, host, port);
        }
    }

    /** Lets a selector know that its proxy could not be reached (it may pick another next time). */
    void connectFailed(SocketAddress address, IOException e) {
        if (selector != null) {
            selector.connectFailed(selectedFor, address, e);
        }
    }

    /** {@code HTTP proxy host:port}: never the credentials. */
    String describe() {
        return (proxy.type() == ProxyOptions.Type.HTTP ? "HTTP" : "SOCKS5") + " proxy "
                + HttpConnectTunnel.describe(proxy);
    }

    @Override
    public String toString() {
        return proxy == null ? "direct" : describe().toLowerCase(Locale.ROOT);
    }
}
