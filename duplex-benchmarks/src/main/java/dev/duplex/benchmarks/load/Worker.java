package dev.duplex.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * One selector thread driving a share of the connections through the {@link Control}
 * timeline: connect and handshake, (idle mode) one echo each, the measured run, the close.
 * Everything it counts stays in the thread until the main thread reads it after join.
 */
final class Worker implements Runnable {
    private static final int READ_BUFFER = 256 * 1024;
    private static final long HIGHEST_LATENCY_NANOS = 60_000_000_000L;

    private final LoadOptions options;
    private final Control control;
    private final InetSocketAddress address;
    private final int firstId;
    private final int count;
    private final int connectConcurrency;
    private final Selector selector;

    final PayloadPattern pattern;
    final int opcode;
    final SplittableRandom random;
    final byte[] stampScratch = new byte[PayloadPattern.STAMP_LENGTH];
    final List<ClientConnection> dirty = new ArrayList<>();

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER);
    private final List<ClientConnection> open = new ArrayList<>();
    private int nextToConnect;
    private int connecting;
    private int finishedConnecting;
    private int primedCount;
    private long outstanding;
    private int closing;
    private int localPhase = -1;
    private boolean connectedSignalled;
    private boolean primedSignalled;
    private boolean drainedSignalled;
    private boolean closedSignalled;

    // Results, read by the main thread after join.
    final Histogram latency = new Histogram(HIGHEST_LATENCY_NANOS, 3);
    long measuredMessages;
    long totalMessages;
    long lastEchoNanos;
    int openedConnections;
    int maxOpen;
    final TreeMap<String, Long> errors = new TreeMap<>();
    final ArrayDeque<String> errorSamples = new ArrayDeque<>();

    Worker(LoadOptions options, Control control, PayloadPattern pattern, int firstId, int count, long seed)
            throws IOException {
        this.options = options;
        this.control = control;
        this.address = new InetSocketAddress(options.host(), options.port());
        this.firstId = firstId;
        this.count = count;
        this.connectConcurrency = Math.max(1, options.connectConcurrency() / options.threads());
        this.pattern = pattern;
        this.opcode = pattern.isText() ? WireFrames.OPCODE_TEXT : WireFrames.OPCODE_BINARY;
        this.random = new SplittableRandom(seed);
        this.selector = Selector.open();
    }

    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (IOException | RuntimeException e) {
            error("worker", e.toString());
        } finally {
            for (ClientConnection c : new ArrayList<>(open)) {
                c.closeChannel();
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // Closing is best effort.
            }
            // A worker that died must not leave the main thread waiting.
            signalConnected();
            signalPrimed();
            signalDrained();
            if (!closedSignalled) {
                closedSignalled = true;
                control.closed.countDown();
            }
        }
    }

    private void loop() throws IOException {
        startConnects();
        while (true) {
            enterPhase(control.phase);
            selector.select(5);
            long now = System.nanoTime();
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                ClientConnection c = (ClientConnection) key.attachment();
                if (key.isValid()) {
                    handle(c, key);
                }
            }
            flushDirty();
            if (checkProgress(now)) {
                return;
            }
        }
    }

    private void handle(ClientConnection c, SelectionKey key) {
        try {
            if (key.isConnectable()) {
                if (c.channel.finishConnect()) {
                    c.connected();
                }
                return;
            }
            if (key.isWritable()) {
                if (c.isWritingRequest()) {
                    c.writeRequest();
                } else {
                    c.flush();
                }
            }
            if (key.isValid() && key.isReadable()) {
                read(c);
            }
        } catch (IOException e) {
            connectionFailed(c, c.state == ClientConnection.State.OPEN ? "io" : "connect", e.toString());
        }
    }

    private void read(ClientConnection c) throws IOException {
        while (c.state != ClientConnection.State.DONE) {
            readBuffer.clear();
            int n = c.channel.read(readBuffer);
            if (n < 0) {
                if (c.state == ClientConnection.State.CLOSING) {
                    connectionClosed(c);
                } else {
                    connectionFailed(c, "eof", "server closed the connection");
                }
                return;
            }
            if (n == 0) {
                return;
            }
            readBuffer.flip();
            if (c.state == ClientConnection.State.HANDSHAKING) {
                c.handshakeBytes(readBuffer);
            }
            if (c.state == ClientConnection.State.OPEN || c.state == ClientConnection.State.CLOSING) {
                if (readBuffer.hasRemaining()) {
                    c.frameBytes(readBuffer);
                }
            }
            if (n < READ_BUFFER) {
                return;   // the socket is drained for now; the selector says when there is more
            }
        }
    }

    private void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) {
            ClientConnection c = dirty.get(i);
            try {
                c.flush();
            } catch (IOException e) {
                connectionFailed(c, "io", e.toString());
            }
        }
        dirty.clear();
    }

    // ---------------------------------------------------------------- the timeline

    private void enterPhase(int phase) {
        while (localPhase < phase) {
            localPhase++;
            switch (localPhase) {
                case Control.PRIME -> {
                    if (options.idle()) {
                        for (ClientConnection c : open) {
                            c.sendNext();
                        }
                    }
                }
                case Control.RUN -> {
                    for (ClientConnection c : open) {
                        while (c.outstanding() < options.inFlight() && maySend(c, System.nanoTime())) {
                            c.sendNext();
                            outstanding++;
                        }
                    }
                }
                case Control.CLOSE -> {
                    for (ClientConnection c : new ArrayList<>(open)) {
                        if (c.state == ClientConnection.State.OPEN) {
                            c.sendClose();
                            closing++;
                        }
                    }
                }
                default -> { }
            }
        }
        flushDirty();
    }

    /** Signals the main thread as each phase completes; true when the worker is finished. */
    private boolean checkProgress(long now) {
        int phase = localPhase;
        if (phase == Control.CONNECT) {
            if (finishedConnecting < count && now - control.connectDeadline > 0) {
                giveUpConnecting();
            }
            if (finishedConnecting == count) {
                signalConnected();
            }
        } else if (phase == Control.PRIME) {
            if (primedCount >= open.size()) {
                signalPrimed();
            }
        } else if (phase == Control.RUN) {
            boolean stopped = options.byCount() || now - control.sendUntil >= 0;
            if (!drainedSignalled && stopped && (outstanding == 0 || now - control.drainDeadline > 0)) {
                if (outstanding > 0) {
                    count("timeout", outstanding + " echoes still outstanding at the drain deadline");
                }
                signalDrained();
            }
        } else if (phase == Control.CLOSE) {
            if (closing == 0 || now - control.closeDeadline > 0) {
                for (ClientConnection c : new ArrayList<>(open)) {
                    c.closeChannel();
                }
                open.clear();
                return true;
            }
        }
        return false;
    }

    private void giveUpConnecting() {
        while (nextToConnect < count) {
            nextToConnect++;
            finishedConnecting++;
            count("connect", "not started by the deadline");
        }
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            ClientConnection c = (ClientConnection) key.attachment();
            if (c.state == ClientConnection.State.CONNECTING || c.state == ClientConnection.State.HANDSHAKING) {
                connectionFailed(c, "connect", "handshake not done by the deadline");
            }
        }
    }

    private void signalConnected() {
        if (!connectedSignalled) {
            connectedSignalled = true;
            control.connected.countDown();
        }
    }

    private void signalPrimed() {
        if (!primedSignalled) {
            primedSignalled = true;
            control.primed.countDown();
        }
    }

    private void signalDrained() {
        if (!drainedSignalled) {
            drainedSignalled = true;
            control.drained.countDown();
        }
    }

    private boolean maySend(ClientConnection c, long now) {
        return options.byCount() ? c.sent < options.messages() : now - control.sendUntil < 0;
    }

    // ---------------------------------------------------------------- connections

    private void startConnects() {
        while (connecting < connectConcurrency && nextToConnect < count) {
            int id = firstId + nextToConnect++;
            connecting++;
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ClientConnection c = new ClientConnection(id, this, channel,
                        new UpgradeRequest(options.host(), options.port(), options.path(), random), options.inFlight());
                boolean done = channel.connect(address);
                c.key = channel.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
                if (done) {
                    c.connected();
                }
            } catch (IOException e) {
                connecting--;
                finishedConnecting++;
                count("connect", e.toString());
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // Nothing more to do with it.
                    }
                }
            }
        }
    }

    void connectionOpened(ClientConnection c) {
        open.add(c);
        openedConnections++;
        maxOpen = Math.max(maxOpen, open.size());
        connecting--;
        finishedConnecting++;
        startConnects();
    }

    void connectionFailed(ClientConnection c, String kind, String detail) {
        if (c.state == ClientConnection.State.DONE) {
            return;
        }
        count(kind, detail);
        ClientConnection.State was = c.state;
        c.closeChannel();
        if (was == ClientConnection.State.CONNECTING || was == ClientConnection.State.HANDSHAKING) {
            connecting--;
            finishedConnecting++;
            startConnects();
            return;
        }
        open.remove(c);
        if (localPhase == Control.RUN) {
            outstanding -= c.outstanding();
        }
        if (was == ClientConnection.State.CLOSING) {
            closing--;
        }
    }

    void connectionClosed(ClientConnection c) {
        if (c.state == ClientConnection.State.DONE) {
            return;
        }
        c.closeChannel();
        open.remove(c);
        closing--;
    }

    void echoReceived(ClientConnection c, long latencyNanos, long now) {
        totalMessages++;
        if (localPhase == Control.PRIME) {
            primedCount++;
            return;
        }
        if (localPhase != Control.RUN) {
            return;
        }
        outstanding--;
        lastEchoNanos = now;
        if (now - control.measureStart >= 0 && now - control.measureEnd < 0) {
            measuredMessages++;
            latency.recordValue(Math.min(latencyNanos, HIGHEST_LATENCY_NANOS));
        }
        if (maySend(c, now)) {
            c.sendNext();
            outstanding++;
        }
    }

    private void count(String kind, String detail) {
        errors.merge(kind, 1L, Long::sum);
        if (errorSamples.size() < 5) {
            errorSamples.add(kind + ": " + detail);
        }
    }

    void error(String kind, String detail) {
        count(kind, detail);
    }
}
