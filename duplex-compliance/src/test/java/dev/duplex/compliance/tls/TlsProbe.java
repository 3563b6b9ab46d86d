package dev.duplex.compliance.tls;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS client by hand, for what the WebSocket clients do not show: the negotiated protocol
 * version and ALPN protocol, the certificate presented, and ClientHellos of our own making
 * (an old version, one that trickles in, one that claims to be huge).
 */
final class TlsProbe {
    /** Long enough never to fire on a healthy loopback run; only a hang reaches it. */
    static final int READ_TIMEOUT_MILLIS = 10_000;

    /** TLS record content types and the alert level (RFC 8446 5.1, 6). */
    static final int ALERT = 21;
    static final int HANDSHAKE = 22;
    static final int FATAL = 2;

    private TlsProbe() {}

    /**
     * Connects to the loopback port and completes a TLS handshake as {@code host}: SNI and
     * hostname verification for that name, these protocol versions and ALPN offer (null: the
     * JDK's defaults, no ALPN).
     */
    static SSLSocket handshake(int port, SSLContext context, String host, List<String> protocols, List<String> alpn)
            throws IOException {
        Socket plain = connect(port);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName(host)));
        if (protocols != null) {
            parameters.setProtocols(protocols.toArray(String[]::new));
        }
        if (alpn != null) {
            parameters.setApplicationProtocols(alpn.toArray(String[]::new));
        }
        tls.setSSLParameters(parameters);
        try {
            tls.startHandshake();
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw e;
        }
        return tls;
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true); // a trickled byte must leave as its own segment
        return socket;
    }

    /** Sends an upgrade request for {@code path}, reads the whole response head, returns its status line. */
    static String upgrade(Socket socket, String host, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 4 || !head.toString(ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed inside a response head: " + head.toString(ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(ISO_8859_1);
        return text.substring(0, text.indexOf("\r\n"));
    }

    /** Sends a short masked text frame (RFC 6455 5.2) and returns the text of the unmasked frame that comes back. */
    static String echo(Socket socket, String text) throws IOException {
        byte[] payload = text.getBytes(UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("short texts only");
        }
        byte[] mask = new byte[4];
        new SecureRandom().nextBytes(mask);
        ByteBuffer frame = ByteBuffer.allocate(6 + payload.length);
        frame.put((byte) 0x81).put((byte) (0x80 | payload.length)).put(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        socket.getOutputStream().write(frame.array());
        socket.getOutputStream().flush();
        byte[] header = new byte[2];
        if (readFully(socket.getInputStream(), header) < 2 || header[0] != (byte) 0x81 || (header[1] & 0x80) != 0) {
            throw new AssertionError("expected an unmasked text frame back");
        }
        byte[] back = new byte[header[1] & 0x7F];
        if (readFully(socket.getInputStream(), back) < back.length) {
            throw new EOFException("frame cut short");
        }
        return new String(back, UTF_8);
    }

    /**
     * A ClientHello record (RFC 5246 7.4.1.2) offering {@code version} as its client_version
     * (0x0302 for TLS 1.1, 0x0303 for 1.2) with a few common cipher suites and no extensions:
     * the legacy form, so the server sees nothing newer than {@code version}.
     */
    static byte[] clientHello(int version) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        int[] suites = {0xC02B, 0xC02F, 0xC013, 0xC009, 0x009C, 0x002F};
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 2 + suites.length * 2 + 2);
        body.putShort((short) version).put(random).put((byte) 0); // empty session id
        body.putShort((short) (suites.length * 2));
        for (int suite : suites) {
            body.putShort((short) suite);
        }
        body.put((byte) 1).put((byte) 0); // compression: null only
        return record(HANDSHAKE, handshakeMessage(1, body.array(), body.capacity()));
    }

    /** A handshake message header (type, 24-bit length) followed by {@code length} bytes of body. */
    static byte[] handshakeMessage(int type, byte[] body, int claimedLength) {
        ByteBuffer message = ByteBuffer.allocate(4 + body.length);
        message.put((byte) type).put((byte) (claimedLength >>> 16)).putShort((short) claimedLength).put(body);
        return message.array();
    }

    /** A TLS record with the TLS 1.0 record version that ClientHellos use for compatibility. */
    static byte[] record(int contentType, byte[] fragment) {
        ByteBuffer record = ByteBuffer.allocate(5 + fragment.length);
        record.put((byte) contentType).putShort((short) 0x0301).putShort((short) fragment.length).put(fragment);
        return record.array();
    }

    /** What the server sent back before closing: a fatal alert's description, or -1 for a bare close. */
    static int readAlertThenEnd(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] header = new byte[5];
        int n = readFully(in, header);
        if (n == 0) {
            return -1;
        }
        if (n < header.length || header[0] != ALERT) {
            throw new AssertionError("expected an alert record or the end, got type " + header[0] + " (" + n + " bytes)");
        }
        byte[] alert = new byte[2];
        if (readFully(in, alert) != 2 || alert[0] != FATAL) {
            throw new AssertionError("expected a fatal alert");
        }
        return alert[1] & 0xFF;
    }

    /** Reads until {@code into} is full or the stream ends (a reset counts as the end); returns the count. */
    static int readFully(InputStream in, byte[] into) throws IOException {
        int n = 0;
        try {
            while (n < into.length) {
                int r = in.read(into, n, into.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (SocketException reset) {
            // Closed with our bytes unread: the kernel answers with a reset. Still the end.
        }
        return n;
    }
}
