package dev.duplex.compliance.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.ClientOptions;
import dev.duplex.TlsOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.cli.Main;
import dev.duplex.compliance.peers.TestPki;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code duplex serve} with TLS, each server in a JVM of its own (catalogue row I): the URLs it
 * prints, PEM and PKCS12 key files, and client-initiated TLS 1.2 renegotiation, which the JDK
 * refuses only when a process-wide property is set before its first server handshake. A fresh
 * process shows that Duplex sets it; a second, where the command line sets it to false, shows
 * the renegotiation test can tell the difference, and that Duplex leaves a user's choice alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeTlsCommandTest {
    private static final long TIMEOUT = Received.TIMEOUT_SECONDS;
    private static final Pattern LISTENING = Pattern.compile("Duplex listening on (\\w+)://127\\.0\\.0\\.1:(\\d+)/");
    private static final String PKCS12_PASSWORD = "pkcs12-secret";

    @TempDir
    static Path dir;
    private SSLContext trustingTheCa;
    private Path caFile;
    private Path[] pem;
    private Path pkcs12;
    private ServeProcess refusing;
    private ServeProcess allowing;

    /** A {@code duplex serve} in a child JVM, and the lines it printed before it started serving. */
    private record ServeProcess(Process process, List<String> banner, int port) {
        void stop() throws InterruptedException {
            process.destroy(); // the shutdown hook stops the server
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @BeforeAll
    void start() throws Exception {
        TestPki pki = new TestPki();
        trustingTheCa = pki.trustingContext();
        TestPki.Issued issued = pki.issue(List.of("localhost"), List.of("127.0.0.1"));
        pem = issued.writePem(dir, "localhost");
        caFile = Files.writeString(dir.resolve("ca.pem"), pem(issued.issuer().getEncoded()));
        pkcs12 = dir.resolve("server.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", issued.key(), PKCS12_PASSWORD.toCharArray(),
                new Certificate[] {issued.certificate(), issued.issuer()});
        try (OutputStream out = Files.newOutputStream(pkcs12)) {
            store.store(out, PKCS12_PASSWORD.toCharArray());
        }
        // Both JVMs start at once: their start-up is most of this class's time.
        CompletableFuture<ServeProcess> first = CompletableFuture.supplyAsync(() -> serve(List.of(),
                List.of("--tls-cert", pem[0].toString(), "--tls-key", pem[1].toString()), null));
        CompletableFuture<ServeProcess> second = CompletableFuture.supplyAsync(() -> serve(
                List.of("-D" + TlsOptions.REJECT_RENEGOTIATION_PROPERTY + "=false"),
                List.of("--tls-pkcs12", pkcs12.toString()), PKCS12_PASSWORD));
        refusing = first.get(60, TimeUnit.SECONDS);
        allowing = second.get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        for (ServeProcess p : new ServeProcess[] {refusing, allowing}) {
            if (p != null) {
                p.stop();
            }
        }
    }

    /** Starts {@code duplex serve} on a free loopback port and waits for its banner. */
    private static ServeProcess serve(List<String> jvmOptions, List<String> serveOptions, String passwordVariable) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--host", "127.0.0.1", "--port", "0"));
        command.addAll(serveOptions);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            if (passwordVariable != null) {
                builder.environment().put("DUPLEX_TLS_PASSWORD", passwordVariable);
            }
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> banner = new ArrayList<>();
            int port = -1;
            for (String line; (line = out.readLine()) != null; ) {
                banner.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(2));
                }
                if (line.contains("Ctrl-C")) {
                    break;
                }
            }
            if (port < 0) {
                process.destroyForcibly();
                throw new IllegalStateException("duplex serve did not start: " + banner);
            }
            Thread.ofVirtual().start(() -> drain(out)); // keep its stdout flowing
            return new ServeProcess(process, banner, port);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // nothing to keep
            }
        } catch (IOException ended) {
            // the process is gone
        }
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    private void assertEchoes(int port) throws Exception {
        Received received = new Received();
        WebSocket socket = WebSocketClient.create(ClientOptions.builder().sslContext(trustingTheCa).build())
                .connect(URI.create("wss://localhost:" + port + "/echo"), received).get(TIMEOUT, TimeUnit.SECONDS);
        received.assertEchoes(socket, "through duplex serve");
        socket.close(1000, "").get(TIMEOUT, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- the command

    @Test
    void I_servePrintsHttpsAndWssUrlsAndEchoesWithPemFiles() throws Exception {
        String banner = String.join("\n", refusing.banner());
        String authority = "127.0.0.1:" + refusing.port();
        assertTrue(banner.contains("https://" + authority + "/"), banner);
        assertTrue(banner.contains("wss://" + authority + "/echo"), banner);
        assertTrue(!banner.contains("ws://" + authority) && !banner.contains("http://"), "no plain URLs: " + banner);
        assertEchoes(refusing.port());
    }

    @Test
    void I_serveReadsAPkcs12KeystoreWithThePasswordFromTheEnvironment() throws Exception {
        assertTrue(String.join("\n", allowing.banner()).contains("wss://127.0.0.1:" + allowing.port() + "/echo"));
        assertEchoes(allowing.port());
    }

    @Test
    void I_badTlsOptionsStopTheCommandWithTheReason() {
        assertEquals(2, runInProcess("serve", "--tls-cert", pem[0].toString()).exit, "a certificate without its key");
        assertEquals(2, runInProcess("serve", "--tls-pkcs12", pkcs12.toString(), "--tls-cert", pem[0].toString()).exit);
        Outcome wrongPassword = runInProcess("serve", "--tls-pkcs12", pkcs12.toString(), "--tls-password", "wrong");
        assertEquals(1, wrongPassword.exit);
        assertTrue(wrongPassword.err.contains("password"), wrongPassword.err);
        Outcome keyAsChain = runInProcess("serve", "--tls-cert", pem[1].toString(), "--tls-key", pem[1].toString());
        assertEquals(1, keyAsChain.exit);
        assertTrue(keyAsChain.err.contains("no CERTIFICATE"), keyAsChain.err);
    }

    @Test
    void I_aPkcs12EntryIsChosenByAlias() {
        char[] password = PKCS12_PASSWORD.toCharArray();
        assertEquals(2, TlsOptions.builder().pkcs12(pkcs12, password, "server").build().certificateChain().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().pkcs12(pkcs12, password, "nobody").build());
        assertTrue(e.getMessage().contains("no key entry named nobody"), e.getMessage());
    }

    private record Outcome(int exit, String err) {}

    /** Runs the command in this JVM; only for command lines that fail before the server starts. */
    private static Outcome runInProcess(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, err.toString(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- renegotiation

    @Test
    void I_clientInitiatedRenegotiationIsRefusedOnAnOpenWebSocket() throws Exception {
        try (SSLSocket socket = TlsProbe.handshake(refusing.port(), trustingTheCa, "localhost", List.of("TLSv1.2"), null)) {
            assertEquals("HTTP/1.1 101 Switching Protocols", TlsProbe.upgrade(socket, "localhost", "/echo"));
            assertEquals("before", TlsProbe.echo(socket, "before"));
            socket.startHandshake(); // TLS 1.2: a new ClientHello on the open connection
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> TlsProbe.echo(socket, "after"));
            assertTrue(e.getMessage().contains("handshake_failure"), e.getMessage());
        }
    }

    @Test
    void I_renegotiationGoesThroughWhereTheUserAllowedIt() throws Exception {
        // The control: the same client against a server whose command line allowed it.
        try (SSLSocket socket = TlsProbe.handshake(allowing.port(), trustingTheCa, "localhost", List.of("TLSv1.2"), null)) {
            assertEquals("HTTP/1.1 101 Switching Protocols", TlsProbe.upgrade(socket, "localhost", "/echo"));
            CountDownLatch renegotiated = new CountDownLatch(1); // the first handshake is over already
            socket.addHandshakeCompletedListener(event -> renegotiated.countDown());
            socket.startHandshake();
            assertEquals("after", TlsProbe.echo(socket, "after"));
            assertTrue(renegotiated.await(TIMEOUT, TimeUnit.SECONDS), "a second handshake completed");
        }
    }

    @Test
    void I_opensslClientRenegotiationIsRefused() throws Exception {
        assumeTrue(commandWorks("openssl", "version"), "openssl is not installed; the JDK client test above covers this");
        Process client = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + refusing.port(),
                "-servername", "localhost", "-tls1_2", "-CAfile", caFile.toString(), "-verify_return_error")
                .redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        CountDownLatch connected = new CountDownLatch(1);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.contains("Verify return code: 0")) {
                        connected.countDown();
                    }
                }
            } catch (IOException ended) {
                // the client is gone
            }
        });
        try {
            assertTrue(connected.await(TIMEOUT, TimeUnit.SECONDS), "s_client connected: " + output);
            // s_client's command letter R starts a renegotiation (TLS 1.2 only).
            client.getOutputStream().write("R\n".getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            assertTrue(client.waitFor(TIMEOUT, TimeUnit.SECONDS), "s_client ended: " + output);
            // The process has exited, but its last lines may still be on their way to the reader.
            assertTrue(reader.join(Duration.ofSeconds(TIMEOUT)), "s_client's output ended");
            assertTrue(output.indexOf("RENEGOTIATING") >= 0, output.toString());
            // Alert 40 is handshake_failure, the JDK's answer to a client's renegotiation.
            assertTrue(output.indexOf("alert handshake failure") >= 0, output.toString());
        } finally {
            client.destroyForcibly();
        }
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
