package dev.duplex.compliance.peers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A hand-written HTTP/1.1 server, plain or TLS, that reads one request head per connection,
 * records it (with the SNI names a TLS client asked for) and writes whatever answer the test
 * gives, then holds the connection until the client closes it. For what no real server does on
 * request: redirects across schemes, and reports of the client's SNI.
 */
final class RawHttpServer implements AutoCloseable {
    /** A request head as received; field names lower-cased, the last value of each kept. */
    record Request(String requestLine, Map<String, String> fields, List<String> serverNames) {
        String field(String name) {
            return fields.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket server;
    private final boolean tls;
    private final Function<Request, String> answer;
    private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    /** @param tls the server's TLS context, or null for plain TCP */
    RawHttpServer(SSLContext tls, Function<Request, String> answer) throws IOException {
        this.tls = tls != null;
        this.server = tls == null ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.answer = answer;
        Thread.ofVirtual().start(this::acceptLoop);
    }

    /** The URI of a path here, with the host name given (the certificate decides which names work). */
    URI uri(String host, String path) {
        return URI.create((tls ? "wss" : "ws") + "://" + host + ":" + server.getLocalPort() + path);
    }

    private void acceptLoop() {
        while (true) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            List<String> names = List.of();
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake();
                names = ((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames().stream()
                        .map(n -> n instanceof SNIHostName host ? host.getAsciiName() : n.toString()).toList();
            }
            InputStream in = socket.getInputStream();
            String requestLine = readLine(in);
            Map<String, String> fields = new HashMap<>();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                fields.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            Request request = new Request(requestLine, fields, names);
            requests.add(request);
            socket.getOutputStream().write(answer.apply(request).getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            while (in.read() >= 0) {
                // hold the connection until the client is done with it
            }
        } catch (IOException e) {
            // The client went away or refused the handshake; the test checks what it saw.
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("end of stream in the head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** A correct 101 for the request (RFC 6455 4.2.2), computed here. */
    static String switchingProtocols(Request request) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((request.field("Sec-WebSocket-Key")
                    + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(digest) + "\r\n\r\n";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
