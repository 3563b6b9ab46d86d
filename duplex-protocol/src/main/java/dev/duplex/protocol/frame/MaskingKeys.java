package dev.duplex.protocol.frame;

import java.security.SecureRandom;

/**
 * Masking keys for a client's frames: a fresh key per frame, drawn from a CSPRNG so that no
 * key can be predicted from earlier ones (RFC 6455 5.3, 10.3). Keys are drawn in batches,
 * which costs one SecureRandom call per 64 frames instead of one each. Not thread-safe: one
 * instance per connection.
 */
public final class MaskingKeys {
    private static final int BATCH = 64;
    private final SecureRandom random;
    private final byte[] batch = new byte[BATCH * 4];
    private int next = BATCH;

    public MaskingKeys(SecureRandom random) {
        this.random = random;
    }

    /** The next key, big-endian as on the wire. */
    public int next() {
        if (next == BATCH) {
            random.nextBytes(batch);
            next = 0;
        }
        int i = next++ * 4;
        return (batch[i] & 0xff) << 24 | (batch[i + 1] & 0xff) << 16 | (batch[i + 2] & 0xff) << 8 | (batch[i + 3] & 0xff);
    }
}
