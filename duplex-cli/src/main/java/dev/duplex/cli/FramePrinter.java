package dev.duplex.cli;

import dev.duplex.WireTap;
import dev.duplex.protocol.frame.FrameFormatter;
import dev.duplex.protocol.inspect.ConnectionDissector;
import dev.duplex.protocol.inspect.Direction;
import dev.duplex.protocol.inspect.Dissection;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code duplex connect --frames}: the client's own traffic, from its wire tap, through the
 * dissector and formatter {@code duplex trace} uses, so both print the same lines: the
 * handshake heads with the accept key checked, then every frame each way with its header
 * fields, the masking key and the unmasked payload, and for compressed messages the inflated
 * one. One printer per connection attempt.
 *
 * <p>The tap is called on the connection's threads, sends and reads possibly at once; a lock
 * keeps the dissector's state and each printed dissection whole.
 */
final class FramePrinter implements WireTap {
    private final PrintStream out;
    private final ConnectionDissector dissector;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    FramePrinter(PrintStream out, int maxPayload) {
        this.out = out;
        this.dissector = ConnectionDissector.fromHandshake(maxPayload);
    }

    @Override
    public void handshake(ByteBuffer request, ByteBuffer response) {
        lock.lock();
        try {
            print(Direction.CLIENT_TO_SERVER, request);
            print(Direction.SERVER_TO_CLIENT, response);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sent(ByteBuffer bytes) {
        lock.lock();
        try {
            print(Direction.CLIENT_TO_SERVER, bytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void received(ByteBuffer bytes) {
        lock.lock();
        try {
            print(Direction.SERVER_TO_CLIENT, bytes);
        } finally {
            lock.unlock();
        }
    }

    /** Releases the dissector's zlib streams; bytes that still pass are no longer shown. */
    void close() {
        lock.lock();
        try {
            closed = true;
            dissector.close();
        } finally {
            lock.unlock();
        }
    }

    private void print(Direction direction, ByteBuffer bytes) {
        if (closed) {
            return;
        }
        List<Dissection> found = dissector.feed(direction, bytes);
        for (Dissection d : found) {
            out.print(FrameFormatter.format("", d));
        }
        out.flush();
    }
}
