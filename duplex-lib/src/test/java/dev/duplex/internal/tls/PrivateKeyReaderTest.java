package dev.duplex.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.TlsOptions;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The private key encodings a server's key file may hold (catalogue row I): PKCS#8 for every
 * key type a certificate uses, and the two OpenSSL forms, PKCS#1 and SEC1, each decoded to the
 * very key that was encoded; encrypted, damaged or unusable keys refused with their reason.
 * Keys come from the JDK's generators; the older forms are derived from them by hand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateKeyReaderTest {
    private static final byte[] P256_OID = HexFormat.of().parseHex("06082a8648ce3d030107");

    private KeyPair rsa;
    private KeyPair ec;
    private KeyPair otherEc;

    @BeforeAll
    void generateKeys() throws Exception {
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(1024); // small and quick: only decoded here, never used for TLS
        rsa = rsaGenerator.generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGenerator.generateKeyPair();
        otherEc = ecGenerator.generateKeyPair();
    }

    private static PrivateKey read(String label, byte[] der) {
        return PrivateKeyReader.read(new Pem.Block(label, der), "key.pem");
    }

    private static IllegalArgumentException refused(String label, byte[] der) {
        return assertThrows(IllegalArgumentException.class, () -> read(label, der));
    }

    // ---------------------------------------------------------------- what is read

    @Test
    void pkcs8KeysOfEveryCertificateType() throws Exception {
        assertEquals(rsa.getPrivate(), read("PRIVATE KEY", rsa.getPrivate().getEncoded()));
        assertEquals(ec.getPrivate(), read("PRIVATE KEY", ec.getPrivate().getEncoded()));
        PrivateKey ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        assertEquals(ed25519, read("PRIVATE KEY", ed25519.getEncoded()));
    }

    @Test
    void pkcs1RsaKeyIsRewrappedAsPkcs8() {
        // RFC 5208 5: a PKCS#8 RSA key carries the PKCS#1 RSAPrivateKey as its OCTET STRING.
        byte[] pkcs1 = Der.parse(rsa.getPrivate().getEncoded()).children().get(2).content();
        RSAPrivateCrtKey key = assertInstanceOf(RSAPrivateCrtKey.class, read("RSA PRIVATE KEY", pkcs1));
        RSAPrivateCrtKey original = (RSAPrivateCrtKey) rsa.getPrivate();
        assertEquals(original.getModulus(), key.getModulus());
        assertEquals(original.getPrivateExponent(), key.getPrivateExponent());
        assertEquals(original.getCrtCoefficient(), key.getCrtCoefficient());
    }

    @Test
    void derOfTheRewrappedKeysIsWhatTheJdkWrites() {
        // The PKCS#8 wrapper we build around PKCS#1 is byte for byte the JDK's own encoding.
        byte[] jdk = rsa.getPrivate().getEncoded();
        byte[] pkcs1 = Der.parse(jdk).children().get(2).content();
        assertArrayEquals(jdk, read("RSA PRIVATE KEY", pkcs1).getEncoded());
    }

    @Test
    void sec1EcKeyAsOpensslWritesIt() {
        ECPrivateKey key = assertInstanceOf(ECPrivateKey.class, read("EC PRIVATE KEY", sec1(true)));
        ECPrivateKey original = (ECPrivateKey) ec.getPrivate();
        assertEquals(original.getS(), key.getS());
        assertEquals(original.getParams().getCurve(), key.getParams().getCurve());
        assertTrue(ServerCredentials.matches(key, ec.getPublic()), "signs like the original");
    }

    // ---------------------------------------------------------------- what is refused, and why

    @Test
    void aSec1KeyThatDoesNotNameItsCurveIsRefused() {
        assertTrue(refused("EC PRIVATE KEY", sec1(false)).getMessage().contains("curve"));
    }

    @Test
    void explicitCurveParametersAreRefused() {
        byte[] version = {Der.INTEGER, 1, 1};
        byte[] explicit = Der.encode(Der.CONTEXT_0, Der.sequence(new byte[] {Der.INTEGER, 1, 1}));
        byte[] der = Der.sequence(version, Der.encode(Der.OCTET_STRING, new byte[32]), explicit);
        assertTrue(refused("EC PRIVATE KEY", der).getMessage().contains("named curve"));
    }

    @Test
    void anEncryptedPkcs8KeyIsRefusedWithAHint() {
        String message = refused("ENCRYPTED PRIVATE KEY", Der.sequence()).getMessage();
        assertTrue(message.contains("encrypted") && message.contains("openssl pkey"), message);
    }

    @Test
    void aKeyOfAnAlgorithmNoCertificateUsesIsRefused() throws Exception {
        byte[] x25519 = KeyPairGenerator.getInstance("X25519").generateKeyPair().getPrivate().getEncoded();
        assertTrue(refused("PRIVATE KEY", x25519).getMessage().contains("1.3.101.110"));
    }

    @Test
    void aDamagedKeyIsRefusedAndNamesItsSource() {
        byte[] der = ec.getPrivate().getEncoded();
        String message = refused("PRIVATE KEY", Arrays.copyOf(der, der.length - 3)).getMessage();
        assertTrue(message.startsWith("key.pem: "), message);
    }

    @Test
    void somethingThatIsNotAKeyIsRefused() {
        refused("PRIVATE KEY", new byte[] {Der.INTEGER, 1, 0});
        refused("RSA PRIVATE KEY", new byte[] {Der.INTEGER, 1, 0});
        refused("DSA PRIVATE KEY", Der.sequence());
    }

    @Test
    void privateKeyLabelsAreRecognisedEvenWhenUnreadable() {
        assertTrue(PrivateKeyReader.isPrivateKey("DSA PRIVATE KEY"));
        assertTrue(PrivateKeyReader.isPrivateKey("ENCRYPTED PRIVATE KEY"));
        assertFalse(PrivateKeyReader.isPrivateKey("CERTIFICATE"));
        assertFalse(PrivateKeyReader.isPrivateKey("EC PARAMETERS"));
    }

    // ---------------------------------------------------------------- key and certificate pairing

    @Test
    void aKeyPairsOnlyWithItsOwnPublicKey() {
        assertTrue(ServerCredentials.matches(rsa.getPrivate(), rsa.getPublic()));
        assertTrue(ServerCredentials.matches(ec.getPrivate(), ec.getPublic()));
        assertFalse(ServerCredentials.matches(ec.getPrivate(), otherEc.getPublic()));
        assertFalse(ServerCredentials.matches(ec.getPrivate(), rsa.getPublic()));
        assertFalse(ServerCredentials.matches(rsa.getPrivate(), ec.getPublic()));
    }

    @Test
    void onlyTls12And13MayBeOffered() {
        assertThrows(IllegalArgumentException.class, () -> TlsOptions.builder().protocols("TLSv1.1"));
        assertThrows(IllegalArgumentException.class, () -> TlsOptions.builder().protocols("TLSv1.3", "TLSv1"));
        assertThrows(IllegalArgumentException.class, () -> TlsOptions.builder().protocols());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), TlsOptions.DEFAULT_PROTOCOLS);
    }

    /**
     * The test key in SEC1 form (RFC 5915 3) as OpenSSL writes it: version 1, the private
     * value, the curve's OID and the public point; or, without {@code withCurve}, the first two.
     */
    private byte[] sec1(boolean withCurve) {
        byte[] version = {Der.INTEGER, 1, 1};
        byte[] privateKey = Der.encode(Der.OCTET_STRING, fixed(((ECPrivateKey) ec.getPrivate()).getS()));
        if (!withCurve) {
            return Der.sequence(version, privateKey);
        }
        ECPublicKey pub = (ECPublicKey) ec.getPublic();
        byte[] point = new byte[66];
        point[1] = 0x04; // point[0] is the BIT STRING's count of unused bits; 04 is an uncompressed point
        System.arraycopy(fixed(pub.getW().getAffineX()), 0, point, 2, 32);
        System.arraycopy(fixed(pub.getW().getAffineY()), 0, point, 34, 32);
        return Der.sequence(version, privateKey, Der.encode(Der.CONTEXT_0, P256_OID),
                Der.encode(Der.CONTEXT_1, Der.encode(Der.BIT_STRING, point)));
    }

    private static byte[] fixed(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - n, out, 32 - n, n);
        return out;
    }
}
