package dev.duplex.protocol.frame;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Masking keys for a client's frames (RFC 6455 5.3, 10.3, row B8): a fresh key for every frame,
 * which nobody who has seen the earlier keys can predict, never zero, and never repeated within
 * a connection's first 2^31 frames.
 *
 * <p>Why not simply four bytes from {@link SecureRandom} per frame: independent random 32-bit
 * keys collide by the birthday bound, about 69% of the time among 100,000 frames, and a repeated
 * key is exactly what masking exists to prevent an attacker from steering. So the keys are a
 * keyed pseudo-random <em>permutation</em> of a counter instead: distinct by construction, and
 * as unpredictable as the permutation's key, which comes from the connection's
 * {@code SecureRandom}, as does the counter's starting point.
 *
 * <p>The permutation is a balanced Feistel network on the counter's two 16-bit halves, ten
 * rounds (as NIST SP 800-38G's FF1 uses for small domains), whose round function is AES-128 under
 * a per-connection key: round {@code r} maps the right half {@code R} to the first 16 bits of
 * {@code AES(k, r || R || 0...)}. Each block encrypted is a distinct PRF input, so ECB mode is the
 * right mode here, not a weakness. Keys are computed 256 at a time, one cipher call per round for
 * the whole batch. After 2^31 keys the permutation is rekeyed, so the counter never wraps into a
 * repeat of the sequence. Never {@code java.util.Random} or {@code ThreadLocalRandom}.
 *
 * <p>Not thread-safe: one instance per connection, used under the connection's lock.
 */
public final class MaskingKeys {
    private static final int BATCH = 256;
    private static final int ROUNDS = 10;
    private static final int BLOCK = 16;
    /** Keys drawn under one AES key and counter start before both are renewed. */
    private static final long KEYS_PER_EPOCH = 1L << 31;

    private final SecureRandom random;
    private final int[] keys = new int[BATCH];
    private final int[] left = new int[BATCH];
    private final int[] right = new int[BATCH];
    private final byte[] roundInput = new byte[BATCH * BLOCK];
    private final byte[] roundOutput = new byte[BATCH * BLOCK];
    private Cipher cipher;
    private int counter;
    private long drawnInEpoch;
    private int available;
    private int next;

    /** @param random the CSPRNG the permutation's key and starting point are drawn from */
    public MaskingKeys(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The next key, big-endian as on the wire; never zero. */
    public int next() {
        if (next == available) {
            refill();
        }
        return keys[next++];
    }

    private void refill() {
        if (cipher == null || drawnInEpoch >= KEYS_PER_EPOCH) {
            rekey();
        }
        for (int i = 0; i < BATCH; i++) {
            int value = counter + i;
            left[i] = value >>> 16;
            right[i] = value & 0xFFFF;
        }
        counter += BATCH;
        drawnInEpoch += BATCH;
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < BATCH; i++) {
                int at = i * BLOCK;
                roundInput[at] = (byte) round;
                roundInput[at + 1] = (byte) (right[i] >>> 8);
                roundInput[at + 2] = (byte) right[i];
            }
            encrypt();
            for (int i = 0; i < BATCH; i++) {
                int at = i * BLOCK;
                int f = (roundOutput[at] & 0xFF) << 8 | (roundOutput[at + 1] & 0xFF);
                int newRight = left[i] ^ f;
                left[i] = right[i];
                right[i] = newRight;
            }
        }
        available = 0;
        for (int i = 0; i < BATCH; i++) {
            int key = left[i] << 16 | right[i];
            if (key != 0) { // a zero key would leave the payload unmasked
                keys[available++] = key;
            }
        }
        next = 0;
    }

    private void rekey() {
        byte[] aesKey = new byte[16];
        random.nextBytes(aesKey);
        try {
            cipher = Cipher.getInstance("AES/ECB/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java SE platform must provide AES/ECB/NoPadding", e);
        }
        counter = random.nextInt();
        drawnInEpoch = 0;
    }

    private void encrypt() {
        try {
            cipher.doFinal(roundInput, 0, roundInput.length, roundOutput, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed on whole blocks", e);
        }
    }
}
