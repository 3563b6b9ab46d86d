package dev.duplex.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One generator connection: handshake, then messages out (masked, stamped, timed) and echoes
 * in (parsed as they stream, checked byte for byte, timed). Driven by its {@link Worker}'s
 * selector thread only.
 */
final class ClientConnection implements EchoParser.Listener {
    enum State { CONNECTING, HANDSHAKING, OPEN, CLOSING, DONE }

    private static final int CONTROL_HEADROOM = 256;
    private static final byte[] CLOSE_NORMAL = {0x03, (byte) 0xe8};

    final int id;
    private final Worker worker;
    final SocketChannel channel;
    SelectionKey key;
    State state = State.CONNECTING;

    private UpgradeRequest request;
    private ByteBuffer requestBytes;
    private byte[] head;
    private int headFilled;

    private final EchoParser parser = new EchoParser(this);
    private ByteBuffer out;                        // write mode: frames waiting for the socket
    private final long[] sendTimes;                // ring: send time of each message in flight
    long sent;
    long received;
    private final byte[] expectedStamp = new byte[PayloadPattern.STAMP_LENGTH];
    private boolean chunkMismatch;
    private boolean dirty;

    ClientConnection(int id, Worker worker, SocketChannel channel, UpgradeRequest request, int inFlight) {
        this.id = id;
        this.worker = worker;
        this.channel = channel;
        this.request = request;
        this.sendTimes = new long[inFlight];
    }

    long outstanding() {
        return sent - received;
    }

    // ---------------------------------------------------------------- handshake

    /** The TCP connection is up: send the upgrade request. */
    void connected() throws IOException {
        state = State.HANDSHAKING;
        requestBytes = ByteBuffer.wrap(request.bytes());
        head = new byte[UpgradeRequest.MAX_RESPONSE_HEAD];
        writeRequest();
    }

    void writeRequest() throws IOException {
        channel.write(requestBytes);
        key.interestOps(requestBytes.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    boolean isWritingRequest() {
        return requestBytes != null && requestBytes.hasRemaining();
    }

    /** Bytes of the response head arrived; returns true once the connection is open. */
    boolean handshakeBytes(ByteBuffer in) {
        int n = Math.min(in.remaining(), head.length - headFilled);
        in.get(head, headFilled, n);
        headFilled += n;
        int end = UpgradeRequest.headEnd(head, headFilled);
        if (end < 0) {
            if (headFilled == head.length) {
                worker.connectionFailed(this, "handshake", "response head too long");
            }
            return false;
        }
        String problem = request.check(head, end);
        if (problem != null) {
            worker.connectionFailed(this, "handshake", problem);
            return false;
        }
        ByteBuffer early = ByteBuffer.wrap(head, end, headFilled - end);
        state = State.OPEN;
        head = null;
        request = null;
        requestBytes = null;
        worker.connectionOpened(this);
        if (early.hasRemaining()) {
            parser.feed(early);
        }
        return true;
    }

    // ---------------------------------------------------------------- sending

    /** Queues the next message; the worker flushes after the current batch of events. */
    void sendNext() {
        if (out == null) {
            out = ByteBuffer.allocateDirect(sendTimes.length * WireFrames.maskedFrameLength(worker.pattern.size())
                    + CONTROL_HEADROOM);
        }
        long sequence = sent;
        byte[] stamp = worker.pattern.stamp(id, sequence, worker.stampScratch);
        WireFrames.writeMaskedFrame(out, worker.opcode, stamp, worker.pattern.stampLength(),
                worker.pattern.body(), worker.random.nextInt());
        sendTimes[(int) (sequence % sendTimes.length)] = System.nanoTime();
        sent++;
        markDirty();
    }

    /** Starts the close handshake with 1000. */
    void sendClose() {
        state = State.CLOSING;
        if (out == null) {
            out = ByteBuffer.allocateDirect(CONTROL_HEADROOM);
        }
        if (out.remaining() >= 2 + 4 + CLOSE_NORMAL.length) {
            WireFrames.writeMaskedControl(out, WireFrames.OPCODE_CLOSE, CLOSE_NORMAL, worker.random.nextInt());
            markDirty();
        }
    }

    private void markDirty() {
        if (!dirty) {
            dirty = true;
            worker.dirty.add(this);
        }
    }

    /** Writes what it can; asks for OP_WRITE when the socket takes less than everything. */
    void flush() throws IOException {
        dirty = false;
        if (out == null || state == State.DONE) {
            return;
        }
        out.flip();
        if (out.hasRemaining()) {
            channel.write(out);
        }
        boolean pending = out.hasRemaining();
        out.compact();
        int ops = pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    // ---------------------------------------------------------------- receiving

    void frameBytes(ByteBuffer in) {
        parser.feed(in);
    }

    @Override
    public void dataChunk(ByteBuffer chunk, int messagePosition) {
        if (messagePosition == 0) {
            worker.pattern.stamp(id, received, expectedStamp);
            chunkMismatch = false;
        }
        if (!chunkMismatch && !worker.pattern.matches(chunk, messagePosition, expectedStamp)) {
            chunkMismatch = true;
        }
    }

    @Override
    public void messageEnded(int opcode, long length) {
        boolean ok = !chunkMismatch && opcode == worker.opcode && length == worker.pattern.size();
        chunkMismatch = false;
        if (received >= sent) {
            worker.connectionFailed(this, "unexpected-message", "echo of a message never sent");
            return;
        }
        if (!ok) {
            worker.connectionFailed(this, "mismatch", "echo " + received + " differs from what was sent (opcode "
                    + opcode + ", " + length + " bytes)");
            return;
        }
        long now = System.nanoTime();
        long latency = now - sendTimes[(int) (received % sendTimes.length)];
        received++;
        worker.echoReceived(this, latency, now);
    }

    @Override
    public void control(int opcode, byte[] payload) {
        switch (opcode) {
            case WireFrames.OPCODE_PING -> {
                // RFC 6455 5.5.2: answer with a pong, if there is room; keepalive pings are rare.
                if (out == null) {
                    out = ByteBuffer.allocateDirect(CONTROL_HEADROOM);
                }
                if (state == State.OPEN && out.remaining() >= 6 + payload.length) {
                    WireFrames.writeMaskedControl(out, WireFrames.OPCODE_PONG, payload, worker.random.nextInt());
                    markDirty();
                }
            }
            case WireFrames.OPCODE_CLOSE -> {
                if (state == State.CLOSING) {
                    worker.connectionClosed(this);
                } else {
                    int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff) : 1005;
                    worker.connectionFailed(this, "server-closed", "server sent close " + code);
                }
            }
            default -> {
                // A pong: nothing to do.
            }
        }
    }

    @Override
    public void protocolError(String reason) {
        worker.connectionFailed(this, "protocol", reason);
    }

    /** Closes the socket; no more events. */
    void closeChannel() {
        state = State.DONE;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // The connection is over either way.
        }
    }
}
