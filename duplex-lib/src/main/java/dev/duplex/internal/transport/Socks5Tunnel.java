package dev.duplex.internal.transport;

import dev.duplex.ProxyConnectException;
import dev.duplex.ProxyOptions;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Opens a tunnel through a SOCKS5 proxy (RFC 1928): method negotiation, the username and
 * password sub-negotiation when credentials are given (RFC 1929), then {@code CONNECT} with the
 * server's host name unresolved (ATYP 3), so the proxy resolves it; IP literals go as addresses.
 */
final class Socks5Tunnel {
    private static final int VERSION = 5;
    private static final int METHOD_NONE = 0x00;
    private static final int METHOD_USERNAME = 0x02;
    private static final int METHOD_NO_ACCEPTABLE = 0xFF;
    private static final int AUTH_VERSION = 1;
    private static final int CMD_CONNECT = 1;
    private static final int ATYP_IPV4 = 1;
    private static final int ATYP_DOMAIN = 3;
    private static final int ATYP_IPV6 = 4;

    private Socks5Tunnel() {}

    /** RFC 1928 6: what each reply code means. */
    private static String replyText(int code) {
        return switch (code) {
            case 1 -> "general SOCKS server failure";
            case 2 -> "connection not allowed by ruleset";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> "unassigned reply code";
        };
    }

    static void open(Socket socket, ProxyOptions proxy, String host, int port) throws IOException {
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        String where = "SOCKS5 proxy " + HttpConnectTunnel.describe(proxy);
        // RFC 1928 3: offer "no authentication", and username/password only when we have them.
        out.write(proxy.hasCredentials()
                ? new byte[] {VERSION, 2, METHOD_NONE, METHOD_USERNAME}
                : new byte[] {VERSION, 1, METHOD_NONE});
        out.flush();
        int version = read(in, where);
        int method = read(in, where);
        if (version != VERSION) {
            throw refused(where + " answered with version " + version + ", not 5", ProxyConnectException.NO_STATUS);
        }
        if (method == METHOD_USERNAME && proxy.hasCredentials()) {
            login(in, out, proxy, where);
        } else if (method == METHOD_NO_ACCEPTABLE || method != METHOD_NONE) {
            throw refused(where + " accepted none of the authentication methods offered"
                    + (proxy.hasCredentials() ? "" : " (it may want a username and password: socks5://user:password@host:port)"),
                    ProxyConnectException.SOCKS5_AUTHENTICATION_FAILED);
        }
        out.write(connectRequest(host, port));
        out.flush();
        if (read(in, where) != VERSION) {
            throw refused(where + " sent a malformed reply", ProxyConnectException.NO_STATUS);
        }
        int reply = read(in, where);
        read(in, where); // RSV
        int atyp = read(in, where);
        int skip = switch (atyp) {
            case ATYP_IPV4 -> 4;
            case ATYP_IPV6 -> 16;
            case ATYP_DOMAIN -> read(in, where);
            default -> throw refused(where + " sent a reply with address type " + atyp, ProxyConnectException.NO_STATUS);
        };
        in.readNBytes(skip + 2); // BND.ADDR and BND.PORT: of no use to a client that connects
        if (reply != 0) {
            String target = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
            throw refused(where + " could not connect to " + target + ": " + reply + " (" + replyText(reply) + ")", reply);
        }
    }

    /** RFC 1929 2: VER 1, ULEN, UNAME, PLEN, PASSWD; status 0 is success. */
    private static void login(DataInputStream in, OutputStream out, ProxyOptions proxy, String where) throws IOException {
        byte[] user = proxy.username().getBytes(StandardCharsets.UTF_8);
        char[] password = proxy.password();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] message = new byte[3 + user.length + encoded.remaining()];
        try {
            message[0] = AUTH_VERSION;
            message[1] = (byte) user.length;
            System.arraycopy(user, 0, message, 2, user.length);
            message[2 + user.length] = (byte) encoded.remaining();
            encoded.get(message, 3 + user.length, encoded.remaining());
            out.write(message);
            out.flush();
        } finally {
            Arrays.fill(message, (byte) 0);
            Arrays.fill(password, '\0');
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
        read(in, where); // VER
        int status = read(in, where);
        if (status != 0) {
            throw refused(where + " refused the username and password", ProxyConnectException.SOCKS5_AUTHENTICATION_FAILED);
        }
    }

    private static byte[] connectRequest(String host, int port) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write(VERSION);
        request.write(CMD_CONNECT);
        request.write(0);
        byte[] literal = ipLiteral(host);
        if (literal != null) {
            request.write(literal.length == 4 ? ATYP_IPV4 : ATYP_IPV6);
            request.writeBytes(literal);
        } else {
            byte[] name = host.getBytes(StandardCharsets.US_ASCII);
            if (name.length > 255) {
                throw new IllegalArgumentException("host name over 255 bytes cannot go through SOCKS5");
            }
            request.write(ATYP_DOMAIN);
            request.write(name.length);
            request.writeBytes(name);
        }
        request.write(port >>> 8);
        request.write(port & 0xFF);
        return request.toByteArray();
    }

    /** The address bytes of an IPv4 or IPv6 literal, or null for a host name (never resolved here). */
    private static byte[] ipLiteral(String host) {
        boolean literal = host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (!literal) {
            return null;
        }
        try {
            return InetAddress.getByName(host).getAddress(); // a literal: parsed, no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + host, e);
        }
    }

    private static int read(DataInputStream in, String where) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw refused(where + " closed the connection during the SOCKS5 exchange", ProxyConnectException.NO_STATUS);
        }
        return b;
    }

    private static ProxyConnectException refused(String message, int status) {
        return new ProxyConnectException(message, ProxyOptions.Type.SOCKS5, status);
    }
}
