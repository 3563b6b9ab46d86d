package dev.duplex.internal.transport;

import dev.duplex.WireTap;
import java.nio.ByteBuffer;

/**
 * A connection's {@link WireTap} as the transport calls it: read-only views of the bytes, and
 * a tap that throws is logged once and then left out, so it can neither stop an I/O thread nor
 * change what crosses the socket. Safe to call from several threads at once as far as this
 * class goes; the tap itself was told it would be.
 */
final class GuardedTap {
    private static final System.Logger LOG = System.getLogger("dev.duplex");

    private final WireTap tap;
    private volatile boolean failed;

    private GuardedTap(WireTap tap) {
        this.tap = tap;
    }

    /** A guarded tap, or null when there is none. */
    static GuardedTap of(WireTap tap) {
        return tap == null ? null : new GuardedTap(tap);
    }

    void handshake(byte[] request, byte[] response) {
        if (!failed) {
            try {
                tap.handshake(ByteBuffer.wrap(request).asReadOnlyBuffer(), ByteBuffer.wrap(response).asReadOnlyBuffer());
            } catch (RuntimeException e) {
                disable(e);
            }
        }
    }

    void received(ByteBuffer bytes) {
        if (!failed) {
            try {
                tap.received(bytes.asReadOnlyBuffer());
            } catch (RuntimeException e) {
                disable(e);
            }
        }
    }

    void sent(ByteBuffer bytes) {
        if (!failed) {
            try {
                tap.sent(bytes.asReadOnlyBuffer());
            } catch (RuntimeException e) {
                disable(e);
            }
        }
    }

    private void disable(RuntimeException e) {
        failed = true;
        LOG.log(System.Logger.Level.WARNING, "wire tap threw; it is no longer called for this connection", e);
    }
}
