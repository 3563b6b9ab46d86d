package dev.duplex.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A WebSocket server written by hand over a raw socket, for faults a real server would never
 * produce: every byte it sends is built here, not with Duplex's encoder. Each accepted
 * connection runs the script on a virtual thread; a script's failure is kept for
 * {@link #close()} to rethrow, so a broken fake cannot pass silently.
 */
final class FakeServer implements AutoCloseable {
    /** What the fake does with one connection. */
    interface Script {
        void run(Peer peer) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();
    final BlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

    FakeServer(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        Thread.ofVirtual().start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (true) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(socket);
            Thread.ofVirtual().start(() -> {
                try {
                    Peer peer = new Peer(socket);
                    accepted.add(peer);
                    script.run(peer);
                } catch (IOException clientWentAway) {
                    // Scripts read until the client is done; how it left is for the test to check.
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
        }
    }

    int port() {
        return server.getLocalPort();
    }

    URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() throws Exception {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        Throwable failure = failures.poll();
        if (failure != null) {
            throw new AssertionError("the fake server's script failed", failure);
        }
    }

    /** The request head a client sent: request line and fields (names lower-cased). */
    record Request(String requestLine, Map<String, List<String>> fields) {
        String field(String name) {
            List<String> values = fields.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** A frame as a client sent it, unmasked here; {@code rsv} holds the RSV1-3 bits (RSV1 is 0x40). */
    record Frame(boolean fin, int opcode, boolean masked, int maskingKey, byte[] payload, int rsv) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** One accepted connection. */
    static final class Peer {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        Request readRequest() throws IOException {
            String requestLine = readLine();
            Map<String, List<String>> fields = new LinkedHashMap<>();
            for (String line = readLine(); !line.isEmpty(); line = readLine()) {
                int colon = line.indexOf(':');
                fields.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            return new Request(requestLine, fields);
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new EOFException("client closed mid-head");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        /** Writes a correct 101 for the request, with these extra lines, and the given bytes after it. */
        void accept(Request request, String extraLines, byte[] after) throws IOException {
            String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + acceptFor(request.field("Sec-WebSocket-Key")) + "\r\n"
                    + extraLines + "\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = new byte[headBytes.length + after.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(after, 0, all, headBytes.length, after.length);
            write(all); // one write: the frames arrive in the same segment as the 101 (row B5)
        }

        void accept(Request request) throws IOException {
            accept(request, "", new byte[0]);
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void write(String ascii) throws IOException {
            write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        }

        Frame readFrame() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            boolean masked = (b1 & 0x80) != 0;
            int key = 0;
            byte[] keyBytes = new byte[4];
            if (masked) {
                for (int i = 0; i < 4; i++) {
                    keyBytes[i] = (byte) readByte();
                    key = (key << 8) | (keyBytes[i] & 0xFF);
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                throw new EOFException("frame cut short");
            }
            for (int i = 0; masked && i < payload.length; i++) {
                payload[i] ^= keyBytes[i & 3];
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, masked, key, payload, b0 & 0x70);
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("client closed mid-frame");
            }
            return b;
        }

        /** Whether the client closed its side: the next read sees the end of the stream. */
        boolean readsEndOfStream() throws IOException {
            return in.read() < 0;
        }
    }

    /** An unmasked server frame, built by hand (RFC 6455 5.2). */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (payload.length <= 125) {
            out.write(payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift));
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] textFrame(String text) {
        return frame(true, 0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame with a code and a reason. */
    static byte[] closeFrame(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + r.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, r.length);
        return frame(true, 0x8, payload);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** RFC 6455 4.2.2: base64(SHA-1(key + GUID)), computed here rather than by Duplex's AcceptKey. */
    static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
