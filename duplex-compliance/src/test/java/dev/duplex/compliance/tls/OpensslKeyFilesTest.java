package dev.duplex.compliance.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.TlsOptions;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key files as OpenSSL writes them, served as they are (catalogue row I): a PKCS#1 RSA key from
 * {@code genrsa -traditional}, a SEC1 EC key after its {@code EC PARAMETERS} block from
 * {@code ecparam -genkey}, a PKCS#8 Ed25519 key, and a PKCS12 bundle with OpenSSL 3's default
 * encryption. Each gets a self-signed certificate for localhost and must complete a TLS
 * handshake and an upgrade. Skipped when openssl is not installed; the key formats themselves
 * are also covered without it in duplex-lib.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpensslKeyFilesTest {
    @TempDir
    static Path dir;

    @BeforeAll
    void requireOpenssl() throws Exception {
        assumeTrue(openssl("version") != null, "openssl is not installed");
    }

    /** Runs openssl in the temp dir; null when it cannot run, else its output. */
    private static String openssl(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + output);
            }
            return output;
        } catch (IOException notInstalled) {
            return null;
        }
    }

    private static Path selfSigned(String key) throws InterruptedException {
        String cert = key.replace(".key", ".crt");
        openssl("req", "-new", "-x509", "-key", key, "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                "-days", "1", "-out", cert);
        return dir.resolve(cert);
    }

    /** Serves with these options and checks that a client trusting {@code cert} gets through to a 101. */
    private static void assertServes(TlsOptions options, Path cert) throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).tls(options)
                .route("/echo", (socket, message) -> socket.send(message)).build().start();
             SSLSocket socket = TlsProbe.handshake(server.port(), trusting(cert), "localhost", null, null)) {
            assertEquals(cert(cert), socket.getSession().getPeerCertificates()[0]);
            assertEquals("HTTP/1.1 101 Switching Protocols", TlsProbe.upgrade(socket, "localhost", "/echo"));
            assertEquals("hello", TlsProbe.echo(socket, "hello"));
            server.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void I_pkcs1RsaKeyFromGenrsaTraditional() throws Exception {
        openssl("genrsa", "-traditional", "-out", "rsa.key", "2048");
        assertEquals("-----BEGIN RSA PRIVATE KEY-----", Files.readAllLines(dir.resolve("rsa.key")).get(0));
        Path cert = selfSigned("rsa.key");
        assertServes(TlsOptions.fromPem(cert, dir.resolve("rsa.key")), cert);
    }

    @Test
    void I_sec1EcKeyAfterItsParametersBlockFromEcparam() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key");
        String text = Files.readString(dir.resolve("ec.key"));
        assumeTrue(text.contains("BEGIN EC PARAMETERS") && text.contains("BEGIN EC PRIVATE KEY"), text);
        Path cert = selfSigned("ec.key");
        assertServes(TlsOptions.fromPem(cert, dir.resolve("ec.key")), cert);
    }

    @Test
    void I_pkcs8Ed25519Key() throws Exception {
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
        Path cert = selfSigned("ed25519.key");
        assertServes(TlsOptions.fromPem(cert, dir.resolve("ed25519.key")), cert);
    }

    @Test
    void I_pkcs12BundleFromOpenssl() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "bundle.key");
        Path cert = selfSigned("bundle.key");
        openssl("pkcs12", "-export", "-in", "bundle.crt", "-inkey", "bundle.key", "-out", "bundle.p12",
                "-passout", "pass:s3cret");
        assertServes(TlsOptions.fromPkcs12(dir.resolve("bundle.p12"), "s3cret".toCharArray()), cert);
    }

    private static X509Certificate cert(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("self", cert(cert));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
