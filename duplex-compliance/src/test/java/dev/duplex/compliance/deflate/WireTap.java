package dev.duplex.compliance.deflate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A TCP relay on a loopback port of its own that forwards every byte between a peer and the
 * server unchanged and, on connections the server upgraded, notes the header of every frame in
 * each direction. An interop test points the peer at the tap, so it can say what was on the
 * wire (RSV1 on compressed messages, none on control frames) without trusting either end's
 * account. Plain HTTP exchanges (a page, a refused upgrade) pass through unrecorded.
 */
final class WireTap implements AutoCloseable {
    /** One frame header as it crossed the tap. */
    record SeenFrame(boolean fromClient, boolean fin, int rsv, int opcode, long length) {
        boolean compressed() {
            return (rsv & 0x40) != 0;
        }
    }

    private final ServerSocket listener;
    private final int serverPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<SeenFrame> frames = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> responseHeads = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** Starts a tap in front of the server on {@code serverPort}. */
    WireTap(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("wiretap-accept").start(this::acceptLoop);
    }

    /** The port peers connect to. */
    int port() {
        return listener.getLocalPort();
    }

    /** Every frame header seen so far, in each direction in order. */
    List<SeenFrame> frames() {
        return new ArrayList<>(frames);
    }

    /** The heads of the server's 101 responses seen so far. */
    List<String> switchingResponses() {
        return new ArrayList<>(responseHeads);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 5_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                Direction up = new Direction(true, client, server);
                Direction down = new Direction(false, server, client);
                down.peer = up;
                Thread.ofVirtual().name("wiretap-up").start(up);
                Thread.ofVirtual().name("wiretap-down").start(down);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /**
     * One direction of one connection: copies bytes and parses them. The server's direction
     * reads the response head first; frames are parsed in both directions only after a 101.
     */
    private final class Direction implements Runnable {
        private final boolean fromClient;
        private final Socket from;
        private final Socket to;
        /** The client-to-server direction, told by the server's direction when the 101 passes. */
        private Direction peer;
        private volatile boolean upgraded;
        private final StringBuilder head = new StringBuilder();
        private boolean headDone;
        private final FrameParser parser = new FrameParser();

        Direction(boolean fromClient, Socket from, Socket to) {
            this.fromClient = fromClient;
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[64 * 1024];
            try (from; to) {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    observe(buffer, n);
                    out.write(buffer, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // one side went away; closing both ends tells the other
            } finally {
                sockets.remove(from);
                sockets.remove(to);
            }
        }

        private void observe(byte[] buffer, int n) {
            int at = 0;
            if (fromClient) {
                // RFC 6455 4.1: a client sends frames only after it has read the 101, which
                // this tap notes before passing it on; what comes before is the request head.
                if (!upgraded) {
                    return;
                }
            } else if (!headDone) {
                for (; at < n && !headDone; at++) {
                    head.append((char) (buffer[at] & 0xff));
                    headDone = head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n");
                }
                if (!headDone) {
                    return;
                }
                if (head.toString().startsWith("HTTP/1.1 101")) {
                    responseHeads.add(head.toString());
                    upgraded = true;
                    peer.upgraded = true;
                }
            }
            if (upgraded) {
                parser.feed(buffer, at, n, fromClient);
            }
        }
    }

    /** Reads frame headers out of a byte stream and skips their payloads. */
    private final class FrameParser {
        private final byte[] header = new byte[14];
        private int filled;
        private long skip;

        void feed(byte[] buffer, int at, int end, boolean fromClient) {
            while (at < end) {
                if (skip > 0) {
                    int n = (int) Math.min(skip, end - at);
                    skip -= n;
                    at += n;
                    continue;
                }
                header[filled++] = buffer[at++];
                int needed = headerLength();
                if (needed > 0 && filled == needed) {
                    long length = payloadLength();
                    int b0 = header[0] & 0xff;
                    frames.add(new SeenFrame(fromClient, (b0 & 0x80) != 0, b0 & 0x70, b0 & 0x0f, length));
                    skip = length;
                    filled = 0;
                }
            }
        }

        /** The header's full length once its first two bytes are in, else 0. */
        private int headerLength() {
            if (filled < 2) {
                return 0;
            }
            int length7 = header[1] & 0x7f;
            int extra = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
            return 2 + extra + ((header[1] & 0x80) != 0 ? 4 : 0);
        }

        private long payloadLength() {
            int length7 = header[1] & 0x7f;
            if (length7 < 126) {
                return length7;
            }
            int bytes = length7 == 126 ? 2 : 8;
            long length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (header[2 + i] & 0xff);
            }
            return length;
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
