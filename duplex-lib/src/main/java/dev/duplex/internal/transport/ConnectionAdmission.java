package dev.duplex.internal.transport;

import dev.duplex.ServerLimits;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Decides, as each socket is accepted and before a byte of it is parsed, whether the server
 * takes it (rows A19, H4): the global connection cap (503), and per client address the number
 * of connections at once and the rate of attempts (429, with {@code Retry-After}). The per-user
 * cap is decided later, once the interceptor has named the user: {@link #admitPrincipal}. A refused
 * socket gets its answer from a short-lived virtual thread and holds no other state. Counts are
 * kept only for the caps that are on; with none on this costs one branch per accept.
 * Thread-safe.
 */
final class ConnectionAdmission {
    /** How long a refused socket may take to send its request head before it is closed. */
    private static final Duration REFUSAL_DRAIN = Duration.ofSeconds(2);
    private static final int REFUSAL_DRAIN_BYTES = 32 * 1024;
    /** Refusals being answered at once; past this a refused socket is closed without an answer. */
    private static final int MAX_REFUSALS_IN_FLIGHT = 256;
    /** Entries kept for addresses with no open connection before a sweep drops the idle ones. */
    private static final int SWEEP_THRESHOLD = 4096;

    private final ServerLimits limits;
    private final Timers timers;
    private final LongSupplier nanoTime;
    private final boolean perAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();
    private final ConcurrentHashMap<AddressKey, PerAddress> addresses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> principals = new ConcurrentHashMap<>();
    private volatile long lastSweep;
    /** Refusals are what a flood makes: logged at most once a second (row H9). */
    private final ThrottledLog refusals;

    /** @param refusals the server's throttled log, which its refusals share */
    ConnectionAdmission(ServerLimits limits, Timers timers, ThrottledLog refusals) {
        this(limits, timers, System::nanoTime, refusals);
    }

    ConnectionAdmission(ServerLimits limits, Timers timers, LongSupplier nanoTime, ThrottledLog refusals) {
        this.refusals = refusals;
        this.limits = limits;
        this.timers = timers;
        this.nanoTime = nanoTime;
        this.perAddress = limits.maxConnectionsPerAddress() != ServerLimits.UNLIMITED
                || !limits.connectionAttemptsPerAddress().isUnlimited();
    }

    /** A held place for one connection; {@link #release()} gives it back, once. */
    interface Slot {
        void release();
    }

    /** What a refused socket goes through before its answer: the TLS handshake on a wss server. */
    interface Secure {
        Socket apply(Socket plain) throws IOException;
    }

    /** What {@link #admit} decided: a slot, or the answer for a refused socket. */
    sealed interface Verdict {
        record Admitted(Slot slot) implements Verdict {}
        record Refused(HttpResponse response, String reason) implements Verdict {}
    }

    /**
     * Admits the socket and returns its slot, or answers it with 429 or 503 on a virtual thread
     * of its own and returns null, counting the refusal in {@code metrics}. Called from the
     * accept loop.
     */
    Slot admit(Socket socket, Secure secure, MetricsRecorder metrics) {
        switch (admit(socket.getInetAddress())) {
            case Verdict.Admitted admitted -> {
                return admitted.slot();
            }
            case Verdict.Refused refused -> {
                refusals.log(System.Logger.Level.INFO, "connection from {0} refused: {1} ({2})",
                        socket.getRemoteSocketAddress(), refused.response().status(), refused.reason());
                metrics.capRefused(refused.response().status(), socket.getRemoteSocketAddress());
                refuse(socket, secure, refused.response());
                return null;
            }
        }
    }

    /** The decision alone, with the counts taken when admitted. */
    Verdict admit(InetAddress address) {
        if (!perAddress) {
            return admitGlobally(() -> {});
        }
        AddressKey key = AddressKey.of(address);
        long now = nanoTime.getAsLong();
        Verdict[] refusal = new Verdict[1];
        addresses.compute(key, (k, entry) -> {
            PerAddress e = entry != null ? entry : new PerAddress(limits, now);
            if (e.attempts != null && !e.attempts.tryTake(1, now)) {
                Duration wait = Duration.ofNanos(e.attempts.nanosUntil(1, now));
                refusal[0] = tooManyRequests(wait, "connection attempts from one address over the rate");
            } else if (e.open >= limits.maxConnectionsPerAddress()) {
                // Nothing says when one closes; a second is the shortest honest wait.
                refusal[0] = tooManyRequests(Duration.ofSeconds(1), "connections from one address at the cap");
            } else {
                e.open++;
            }
            return e;
        });
        if (refusal[0] != null) {
            sweepIfLarge(now);
            return refusal[0];
        }
        Verdict verdict = admitGlobally(() -> releaseAddress(key));
        if (verdict instanceof Verdict.Refused) {
            releaseAddress(key);
        }
        sweepIfLarge(now);
        return verdict;
    }

    /**
     * Counts one more connection for the user an interceptor accepted, or refuses it with 429
     * when that user is at {@link ServerLimits#maxConnectionsPerPrincipal()}. A null principal
     * is not counted. Called before the 101 is written; the slot is released when the
     * connection ends (or at once, if the handshake goes no further).
     */
    Verdict admitPrincipal(Principal principal) {
        if (principal == null || limits.maxConnectionsPerPrincipal() == ServerLimits.UNLIMITED) {
            return new Verdict.Admitted(() -> {});
        }
        String name = principal.getName();
        boolean[] admitted = new boolean[1];
        principals.compute(name, (k, open) -> {
            int n = open == null ? 0 : open;
            admitted[0] = n < limits.maxConnectionsPerPrincipal();
            return admitted[0] ? n + 1 : (open == null ? null : n);
        });
        if (!admitted[0]) {
            // Nothing says when one of the user's connections closes; a second is the shortest honest wait.
            return tooManyRequests(Duration.ofSeconds(1), "connections of one user at the cap");
        }
        return new Verdict.Admitted(once(() -> principals.computeIfPresent(name, (k, open) -> open > 1 ? open - 1 : null)));
    }

    /** Users with at least one connection counted, for tests. */
    int trackedPrincipals() {
        return principals.size();
    }

    private Verdict admitGlobally(Runnable releaseAddress) {
        if (limits.maxConnections() == ServerLimits.UNLIMITED) {
            return new Verdict.Admitted(once(releaseAddress));
        }
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            Headers retry = Headers.builder().add("Retry-After", "1").build();
            return new Verdict.Refused(HttpResponse.error(503, retry), "server at its connection cap");
        }
        return new Verdict.Admitted(once(() -> {
            total.decrementAndGet();
            releaseAddress.run();
        }));
    }

    /** Connections counted against the global cap right now. */
    int connections() {
        return total.get();
    }

    /** Addresses with state kept, for tests of the sweep. */
    int trackedAddresses() {
        return addresses.size();
    }

    private static Slot once(Runnable release) {
        AtomicInteger released = new AtomicInteger();
        return () -> {
            if (released.compareAndSet(0, 1)) {
                release.run();
            }
        };
    }

    private void releaseAddress(AddressKey key) {
        addresses.computeIfPresent(key, (k, e) -> {
            e.open--;
            return e.open == 0 && (e.attempts == null || e.attempts.isFull(nanoTime.getAsLong())) ? null : e;
        });
    }

    /**
     * Drops addresses with nothing open and a full bucket: forgetting them changes no decision.
     * At most once a second, so that many live addresses do not make every accept a full scan.
     */
    private void sweepIfLarge(long now) {
        if (addresses.size() < SWEEP_THRESHOLD || now - lastSweep < 1_000_000_000L) {
            return;
        }
        lastSweep = now;
        addresses.forEach((key, value) -> addresses.computeIfPresent(key, (k, e) ->
                e.open == 0 && (e.attempts == null || e.attempts.isFull(now)) ? null : e));
    }

    private static Verdict tooManyRequests(Duration wait, String reason) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        Headers retry = Headers.builder().add("Retry-After", Long.toString(seconds)).build();
        return new Verdict.Refused(HttpResponse.error(429, retry), reason);
    }

    /**
     * Answers a refused socket. The answer goes out at once, before the request is read (a
     * server may answer early, RFC 9112 9.3), then the output is half-closed and the request
     * read and dropped, for a short while, so that closing with unread input does not reset
     * the connection before the client has read the answer.
     */
    private void refuse(Socket socket, Secure secure, HttpResponse response) {
        if (refusing.incrementAndGet() > MAX_REFUSALS_IN_FLIGHT) {
            refusing.decrementAndGet();
            closeQuietly(socket);
            return;
        }
        Thread.ofVirtual().name("duplex-refuse").start(() -> {
            // One deadline for all of it, a TLS handshake included, however slowly it trickles.
            ScheduledFuture<?> deadline = timers.schedule(() -> closeQuietly(socket), REFUSAL_DRAIN);
            try {
                socket.setSoTimeout((int) REFUSAL_DRAIN.toMillis());
                Socket s = secure.apply(socket);
                s.getOutputStream().write(response.toBytes());
                s.getOutputStream().flush();
                if (!(s instanceof javax.net.ssl.SSLSocket)) {
                    s.shutdownOutput();
                }
                drain(s.getInputStream());
            } catch (IOException e) {
                // The client went away or was too slow; the refusal stands either way.
            } finally {
                Timers.cancel(deadline);
                closeQuietly(socket);
                refusing.decrementAndGet();
            }
        });
    }

    private static void drain(InputStream in) throws IOException {
        long deadline = System.nanoTime() + REFUSAL_DRAIN.toNanos();
        byte[] sink = new byte[4096];
        int total = 0;
        while (total < REFUSAL_DRAIN_BYTES && System.nanoTime() < deadline) {
            int n = in.read(sink);
            if (n < 0) {
                return;
            }
            total += n;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }

    /** What is counted per address. Guarded by the map's per-key lock (compute). */
    private static final class PerAddress {
        final TokenBucket attempts;
        int open;

        PerAddress(ServerLimits limits, long now) {
            attempts = limits.connectionAttemptsPerAddress().isUnlimited()
                    ? null : new TokenBucket(limits.connectionAttemptsPerAddress(), now);
        }
    }

    /**
     * An IPv4 address, or the /64 network of an IPv6 one: one host on IPv6 usually holds a
     * whole /64, so counting single addresses would let it through many times over.
     */
    record AddressKey(ByteBuffer prefix) {
        static AddressKey of(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (address instanceof Inet6Address) {
                bytes = Arrays.copyOf(bytes, 8);
            }
            return new AddressKey(ByteBuffer.wrap(bytes));
        }
    }
}
