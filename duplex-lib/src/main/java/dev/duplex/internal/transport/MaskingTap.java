package dev.duplex.internal.transport;

import dev.duplex.WireTap;
import dev.duplex.protocol.frame.OutboundMasker;
import java.nio.ByteBuffer;

/**
 * A client's {@link WireTap} that sees its frames as they go on the wire, masked: the
 * connection hands the tap its frames before the writer masks them (see
 * {@link MaskingOutputStream}), so the tap gets a copy masked by an {@link OutboundMasker} of
 * its own, fed the same bytes in the same order. A diagnostic cost paid only with a tap.
 */
final class MaskingTap implements WireTap {
    private final WireTap tap;
    private final OutboundMasker masker = new OutboundMasker();

    private MaskingTap(WireTap tap) {
        this.tap = tap;
    }

    static WireTap wrap(WireTap tap) {
        return tap == null ? null : new MaskingTap(tap);
    }

    @Override
    public void handshake(ByteBuffer request, ByteBuffer response) {
        tap.handshake(request, response);
    }

    @Override
    public void sent(ByteBuffer bytes) {
        byte[] plain = new byte[bytes.remaining()];
        bytes.duplicate().get(plain);
        byte[] masked = new byte[plain.length];
        masker.mask(plain, 0, plain.length, masked, 0, masked.length);
        tap.sent(ByteBuffer.wrap(masked));
    }

    @Override
    public void received(ByteBuffer bytes) {
        tap.received(bytes);
    }
}
