package dev.duplex.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.client.FakeServer.Frame;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.frame.MaskingKeys;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Row B8 (RFC 6455 5.3, 10.3): every client frame has a fresh key that cannot be predicted from
 * earlier ones, drawn from the connection's CSPRNG, and a payload cannot change once framing
 * has started.
 */
class MaskingTest {
    private static final int KEYS = 100_000;
    private static final long SEED = System.nanoTime();
    /** The keys of 100,000 frames from one connection, drawn once for the tests that inspect them. */
    private static int[] keys;

    @BeforeAll
    static void drawKeys() throws Exception {
        keys = keysFromOneConnection(seeded(SEED), KEYS);
    }

    /** The masking keys of {@code count} frames that one client connection writes. */
    private static int[] keysFromOneConnection(SecureRandom random, int count) {
        Connection client = new Connection(Role.CLIENT, Limits.DEFAULTS, null, random);
        int[] keys = new int[count];
        for (int i = 0; i < count; i++) {
            client.sendPing(ByteBuffer.allocate(0));
            ByteBuffer frame = client.takeOutbound().get(0);
            assertEquals(0x80, frame.get(1) & 0x80, "the mask bit is set");
            keys[i] = frame.getInt(2); // RFC 6455 5.2: the key follows a 7-bit length
        }
        return keys;
    }

    /** A CSPRNG whose output is fixed by its seed, so a failure can be replayed. */
    private static SecureRandom seeded(long seed) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(seed); // before any output, this replaces the self-seeding
        return random;
    }

    @Test
    void B8_hundredThousandKeysFromOneConnectionAreDistinctAndNeverZero() {
        Set<Integer> seen = new HashSet<>();
        for (int key : keys) {
            assertNotEquals(0, key, "a zero key leaves the payload as it is; seed " + SEED);
            assertTrue(seen.add(key), "repeated key " + Integer.toHexString(key) + "; seed " + SEED);
        }
        assertEquals(KEYS, seen.size());
    }

    @Test
    void B8_keysAreDerivedFromTheConnectionsSecureRandomAlone() throws Exception {
        long seed = System.nanoTime();
        String context = "seed " + seed;
        assertArrayEquals(keysFromOneConnection(seeded(seed), 1000), keysFromOneConnection(seeded(seed), 1000),
                "the same CSPRNG output gives the same keys, so nothing else feeds them; " + context);
        assertFalse(Arrays.equals(keysFromOneConnection(seeded(seed), 1000), keysFromOneConnection(seeded(seed + 1), 1000)),
                context);
        assertThrows(NullPointerException.class, () -> new MaskingKeys(null));
    }

    @Test
    void B8_everyKeyBitIsSetAboutHalfTheTime() {
        long seed = SEED;
        // Binomial(100000, 1/2): sd 158; 6 sd is a bound a sound generator passes essentially always.
        for (int bit = 0; bit < 32; bit++) {
            int ones = 0;
            for (int key : keys) {
                ones += (key >>> bit) & 1;
            }
            assertTrue(Math.abs(ones - KEYS / 2) < 6 * 158, "bit " + bit + " set " + ones + " times; seed " + seed);
        }
        // Consecutive keys must not share structure: their XOR is as balanced as the keys are.
        BitSet lowBitOfXor = new BitSet(KEYS);
        for (int i = 1; i < KEYS; i++) {
            lowBitOfXor.set(i, ((keys[i] ^ keys[i - 1]) & 1) == 1);
        }
        assertTrue(Math.abs(lowBitOfXor.cardinality() - KEYS / 2) < 6 * 158, "seed " + seed);
    }

    @Test
    void B8_eachFrameOnTheWireHasItsOwnKey() throws Exception {
        int frames = 500;
        BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            for (int i = 0; i < frames; i++) {
                received.add(peer.readFrame());
            }
        })) {
            WebSocket socket = WebSocketClient.create().connect(server.uri("/"), new RecordingHandler())
                    .get(RecordingHandler.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (int i = 0; i < frames; i++) {
                socket.sendText("message " + i);
            }
            Set<Integer> keys = new HashSet<>();
            for (int i = 0; i < frames; i++) {
                Frame f = received.poll(RecordingHandler.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertTrue(f.masked());
                assertEquals("message " + i, f.text(), "unmasked with its own key, the payload is intact");
                assertTrue(keys.add(f.maskingKey()));
            }
            socket.abort();
        }
    }

    @Test
    void B8_aPayloadChangedAfterSendReturnsGoesOutAsItWasSent() throws Exception {
        BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
        try (FakeServer server = new FakeServer(peer -> {
            peer.accept(peer.readRequest());
            received.add(peer.readFrame());
        })) {
            WebSocket socket = WebSocketClient.create().connect(server.uri("/"), new RecordingHandler())
                    .get(RecordingHandler.TIMEOUT_SECONDS, TimeUnit.SECONDS);
            byte[] data = new byte[256 * 1024];
            Arrays.fill(data, (byte) 'a');
            socket.sendBinary(data);
            Arrays.fill(data, (byte) 'z'); // RFC 6455 10.3: too late to change what is on the wire
            byte[] expected = new byte[data.length];
            Arrays.fill(expected, (byte) 'a');
            assertArrayEquals(expected, received.poll(RecordingHandler.TIMEOUT_SECONDS, TimeUnit.SECONDS).payload());
            socket.abort();
        }
    }
}
