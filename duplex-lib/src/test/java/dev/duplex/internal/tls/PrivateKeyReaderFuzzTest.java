package dev.duplex.internal.tls;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * The PEM and DER reading behind {@code TlsOptions.fromPem} and mutual TLS's client key fed
 * arbitrary files: {@link Pem#parse}, {@link Der#parse} and {@link PrivateKeyReader#read}. A
 * key file is trusted input, but a wrong one (a certificate where the key should be, a
 * truncated download, an unsupported format) must end in one clear message, not in whatever
 * a key factory throws. For every input:
 * <ul>
 *   <li>the only exception is {@link IllegalArgumentException}, and from the key reader its
 *       message names the source;
 *   <li>a value {@link Der#parse} accepts is DER: encoding its tag and content again gives
 *       the same bytes (one length encoding, minimal);
 *   <li>a key that is read has an algorithm and an encoding.
 * </ul>
 *
 * <p>Input layout: a mode byte; 0: the rest is a PEM text (ISO-8859-1) whose key blocks are
 * read; otherwise the rest is DER read as the block label {@code mode % 4} picks
 * ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}, or
 * {@code ENCRYPTED PRIVATE KEY}).
 *
 * <p>The seeds under {@code PrivateKeyReaderFuzzTestInputs/} are throwaway keys made with
 * OpenSSL ({@code genpkey} RSA 1024, Ed25519; {@code ecparam -genkey} P-256; {@code rsa
 * -traditional}, {@code pkcs8 -topk8} with a password, {@code req -x509}), each as PEM behind
 * a 0 byte and as DER behind its label's mode byte, and hand-written broken ones.
 */
class PrivateKeyReaderFuzzTest {
    private static final String SOURCE = "fuzz.pem";
    private static final List<String> LABELS = List.of(PrivateKeyReader.PKCS8, PrivateKeyReader.PKCS1_RSA,
            PrivateKeyReader.SEC1_EC, PrivateKeyReader.ENCRYPTED_PKCS8);

    @FuzzTest(maxDuration = "2m")
    @Timeout(2)
    void keyReaderReadsAKeyOrSaysWhyNot(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int mode = data[0] & 0xff;
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        if (mode == 0) {
            List<Pem.Block> blocks;
            try {
                blocks = Pem.parse(new String(rest, ISO_8859_1), SOURCE);
            } catch (IllegalArgumentException malformed) {
                assertTrue(malformed.getMessage().startsWith(SOURCE), malformed::getMessage);
                return;
            }
            for (Pem.Block block : blocks) {
                checkDer(block.der());
                if (PrivateKeyReader.isPrivateKey(block.label())) {
                    read(block);
                }
            }
        } else {
            checkDer(rest);
            read(new Pem.Block(LABELS.get(mode % LABELS.size()), rest));
        }
    }

    private static void read(Pem.Block block) {
        try {
            PrivateKey key = PrivateKeyReader.read(block, SOURCE);
            assertNotNull(key.getAlgorithm());
            assertNotNull(key.getEncoded());
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage().startsWith(SOURCE + ": "), refused::getMessage);
        }
    }

    /** What Der.parse accepts it can write again, byte for byte. */
    private static void checkDer(byte[] der) {
        Der.Value value;
        try {
            value = Der.parse(der);
        } catch (IllegalArgumentException notDer) {
            return;
        }
        assertArrayEquals(der, Der.encode(value.tag(), value.content()), "DER value written again");
    }
}
