package dev.duplex.internal.transport;

import dev.duplex.ProxyConnectException;
import dev.duplex.ProxyOptions;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Opens a tunnel through an HTTP proxy with {@code CONNECT host:port} (RFC 9110 9.3.6): any 2xx
 * answer means the socket now reaches the server, and everything else is a
 * {@link ProxyConnectException} with the proxy's status. Credentials go in
 * {@code Proxy-Authorization: Basic} (RFC 7617) and nowhere else.
 */
final class HttpConnectTunnel {
    private HttpConnectTunnel() {}

    /**
     * Asks the proxy on {@code socket} for a tunnel to {@code host:port} and reads its answer
     * head a byte at a time, so not one byte of what the server sends later is taken from the
     * stream. The caller's deadline bounds the exchange by closing the socket.
     */
    static void open(Socket socket, ProxyOptions proxy, String host, int port) throws IOException {
        String target = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        StringBuilder request = new StringBuilder()
                .append("CONNECT ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target).append("\r\n");
        byte[] credentials = null;
        if (proxy.hasCredentials()) {
            credentials = basicCredentials(proxy);
            request.append("Proxy-Authorization: Basic ").append(new String(credentials, StandardCharsets.US_ASCII))
                    .append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        byte[] bytes = request.toString().getBytes(StandardCharsets.ISO_8859_1);
        try {
            out.write(bytes);
            out.flush();
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (credentials != null) {
                Arrays.fill(credentials, (byte) 0);
            }
        }
        HttpResponse answer = readHead(socket.getInputStream(), proxy, target);
        if (answer.status() / 100 != 2) {
            String reason = answer.reason().isEmpty() ? "" : " " + answer.reason();
            String hint = answer.status() != 407 && answer.status() != 401 ? ""
                    : proxy.hasCredentials() ? " (the proxy refused the credentials given)"
                    : " (the proxy wants credentials: give them as http://user:password@host:port)";
            throw new ProxyConnectException("HTTP proxy " + describe(proxy) + " answered CONNECT " + target + " with "
                    + answer.status() + reason + hint, ProxyOptions.Type.HTTP, answer.status());
        }
    }

    /** {@code base64(user ":" password)} in UTF-8 (RFC 7617 2.1), as bytes the caller clears. */
    private static byte[] basicCredentials(ProxyOptions proxy) {
        char[] password = proxy.password();
        char[] joined = new char[proxy.username().length() + 1 + password.length];
        proxy.username().getChars(0, proxy.username().length(), joined, 0);
        joined[proxy.username().length()] = ':';
        System.arraycopy(password, 0, joined, proxy.username().length() + 1, password.length);
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(joined));
        byte[] raw = new byte[utf8.remaining()];
        utf8.get(raw);
        try {
            return Base64.getEncoder().encode(raw);
        } finally {
            Arrays.fill(password, '\0');
            Arrays.fill(joined, '\0');
            Arrays.fill(raw, (byte) 0);
            if (utf8.hasArray()) {
                Arrays.fill(utf8.array(), (byte) 0);
            }
        }
    }

    private static HttpResponse readHead(InputStream in, ProxyOptions proxy, String target) throws IOException {
        HttpHeadParser<HttpResponse> parser = HttpHeadParser.forResponses(HeadLimits.DEFAULTS);
        byte[] one = new byte[1];
        while (true) {
            int n = in.read(one);
            if (n < 0) {
                throw new ProxyConnectException("HTTP proxy " + describe(proxy) + " closed the connection before "
                        + "answering CONNECT " + target, ProxyOptions.Type.HTTP, ProxyConnectException.NO_STATUS);
            }
            try {
                HttpResponse response = parser.feed(ByteBuffer.wrap(one));
                if (response != null) {
                    return response;
                }
            } catch (HandshakeException e) {
                throw new ProxyConnectException("HTTP proxy " + describe(proxy) + " sent a malformed answer to CONNECT "
                        + target + ": " + e.getMessage(), ProxyOptions.Type.HTTP, ProxyConnectException.NO_STATUS);
            }
        }
    }

    /** Host and port of the proxy: never its credentials. */
    static String describe(ProxyOptions proxy) {
        String host = proxy.host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + proxy.port();
    }
}
