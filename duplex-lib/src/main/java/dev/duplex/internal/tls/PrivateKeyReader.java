package dev.duplex.internal.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns a PEM private key block into a {@link PrivateKey} with the JDK's key factories. Three
 * encodings are read: PKCS#8 ({@code PRIVATE KEY}, RFC 5208 and 5958), and the two older ones
 * that OpenSSL still writes, PKCS#1 ({@code RSA PRIVATE KEY}, RFC 8017 A.1.2) and SEC1
 * ({@code EC PRIVATE KEY}, RFC 5915), which are rewrapped as PKCS#8 first. Encrypted keys are
 * refused with a message that says how to decrypt them.
 */
final class PrivateKeyReader {
    static final String PKCS8 = "PRIVATE KEY";
    static final String PKCS1_RSA = "RSA PRIVATE KEY";
    static final String SEC1_EC = "EC PRIVATE KEY";
    static final String ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY";

    private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";

    /** PrivateKeyInfo algorithm identifiers (RFC 8017, 4055, 5480, 8410) and the JDK's names for them. */
    private static final Map<String, String> ALGORITHMS = Map.of(
            RSA_ENCRYPTION, "RSA",
            "1.2.840.113549.1.1.10", "RSASSA-PSS",
            EC_PUBLIC_KEY, "EC",
            "1.3.101.112", "Ed25519",
            "1.3.101.113", "Ed448");

    /** The DER of OBJECT IDENTIFIER 1.2.840.113549.1.1.1 and of 1.2.840.10045.2.1. */
    private static final byte[] RSA_ENCRYPTION_OID = HexFormat.of().parseHex("06092a864886f70d010101");
    private static final byte[] EC_PUBLIC_KEY_OID = HexFormat.of().parseHex("06072a8648ce3d0201");
    private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};
    private static final byte[] DER_NULL = {Der.NULL, 0};

    private PrivateKeyReader() {}

    /** Whether a block with this label holds a private key, readable or not. */
    static boolean isPrivateKey(String label) {
        return List.of(PKCS8, PKCS1_RSA, SEC1_EC, ENCRYPTED_PKCS8).contains(label) || label.endsWith(" PRIVATE KEY");
    }

    /**
     * @param source names the input in error messages
     * @throws IllegalArgumentException when the block is not a key we can read, with the reason
     */
    static PrivateKey read(Pem.Block block, String source) {
        try {
            return switch (block.label()) {
                case PKCS8 -> fromPkcs8(block.der());
                case PKCS1_RSA -> fromPkcs8(pkcs8FromPkcs1(block.der()));
                case SEC1_EC -> fromPkcs8(pkcs8FromSec1(block.der()));
                case ENCRYPTED_PKCS8 -> throw new IllegalArgumentException("the key is encrypted; decrypt it first "
                        + "(openssl pkey -in KEY -out PLAIN) or use a PKCS12 keystore with its password");
                default -> throw new IllegalArgumentException("a " + block.label() + " block is not a key format "
                        + "Duplex reads (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
            };
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException(source + ": cannot read the " + block.label() + ": " + e.getMessage(), e);
        }
    }

    /** PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm AlgorithmIdentifier, privateKey OCTET STRING, ... } */
    private static PrivateKey fromPkcs8(byte[] der) throws GeneralSecurityException {
        Der.Value info = Der.parse(der);
        List<Der.Value> fields = info.tag() == Der.SEQUENCE ? info.children() : List.of();
        if (fields.size() < 3 || fields.get(0).tag() != Der.INTEGER || fields.get(1).tag() != Der.SEQUENCE
                || fields.get(2).tag() != Der.OCTET_STRING) {
            throw new IllegalArgumentException("not a PKCS#8 PrivateKeyInfo");
        }
        List<Der.Value> algorithm = fields.get(1).children();
        if (algorithm.isEmpty() || algorithm.get(0).tag() != Der.OID) {
            throw new IllegalArgumentException("PKCS#8 algorithm identifier without an OID");
        }
        String oid = Der.oidToString(algorithm.get(0).content());
        String name = ALGORITHMS.get(oid);
        if (name == null) {
            throw new IllegalArgumentException("key algorithm " + oid + " is not one a TLS server certificate uses "
                    + "(RSA, RSASSA-PSS, EC, Ed25519, Ed448)");
        }
        return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** RSAPrivateKey goes as it is into a PrivateKeyInfo for rsaEncryption (parameters NULL). */
    private static byte[] pkcs8FromPkcs1(byte[] der) {
        Der.Value key = Der.parse(der);
        if (key.tag() != Der.SEQUENCE) {
            throw new IllegalArgumentException("not a PKCS#1 RSAPrivateKey");
        }
        return Der.sequence(VERSION_0, Der.sequence(RSA_ENCRYPTION_OID, DER_NULL),
                Der.encode(Der.OCTET_STRING, der));
    }

    /**
     * ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, parameters [0] OPTIONAL,
     * publicKey [1] OPTIONAL }: the curve moves into the PrivateKeyInfo's algorithm identifier.
     */
    private static byte[] pkcs8FromSec1(byte[] der) {
        Der.Value key = Der.parse(der);
        List<Der.Value> fields = key.tag() == Der.SEQUENCE ? key.children() : List.of();
        if (fields.size() < 2 || fields.get(0).tag() != Der.INTEGER || fields.get(1).tag() != Der.OCTET_STRING) {
            throw new IllegalArgumentException("not a SEC1 ECPrivateKey");
        }
        Der.Value parameters = fields.stream().filter(f -> f.tag() == Der.CONTEXT_0).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the EC key does not name its curve"));
        Der.Value curve = Der.parse(parameters.content());
        if (curve.tag() != Der.OID) {
            throw new IllegalArgumentException("explicit EC curve parameters are not supported; use a named curve");
        }
        return Der.sequence(VERSION_0, Der.sequence(EC_PUBLIC_KEY_OID, curve.encoded()),
                Der.encode(Der.OCTET_STRING, der));
    }
}
