package dev.duplex.compliance.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.duplex.TlsOptions;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.peers.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python {@code websockets} as a wss client of our server, with Python's own TLS (OpenSSL) and
 * its default context: the CA made for this run trusted, host names checked (rows B6 and I).
 * Skipped, with the reason, when /usr/bin/python3 has no websockets (Debian python3-websockets;
 * scripts/install-peers.sh installs it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonWssClientTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    static Path dir;
    private Path caFile;
    private WebSocketServer forLocalhost;
    private WebSocketServer forAnotherHost;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import websockets")).exit == 0,
                "Python websockets is not installed for /usr/bin/python3 (Debian python3-websockets); "
                        + "run scripts/install-peers.sh to install it");
        TestPki pki = new TestPki();
        TestPki.Issued localhost = pki.issue(List.of("localhost"), List.of("127.0.0.1"));
        caFile = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(localhost.issuer().getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Path[] good = localhost.writePem(dir, "localhost");
        Path[] other = pki.issue(List.of("other.example"), List.of()).writePem(dir, "other");
        forLocalhost = server(TlsOptions.fromPem(good[0], good[1]));
        forAnotherHost = server(TlsOptions.fromPem(other[0], other[1]));
    }

    private static WebSocketServer server(TlsOptions tls) {
        return WebSocketServer.builder().host("127.0.0.1").port(0).tls(tls)
                .route("/echo", (socket, message) -> socket.send(message)).build().start();
    }

    @AfterAll
    void stop() {
        if (forLocalhost != null) {
            forLocalhost.stop(Duration.ofSeconds(2));
            forAnotherHost.stop(Duration.ofSeconds(2));
        }
    }

    private record Outcome(int exit, String output) {}

    private static Outcome run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Read before waiting, so a full pipe cannot stall the child; the client bounds its own waits.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the Python client did not finish: " + output);
        }
        return new Outcome(process.exitValue(), output);
    }

    private Outcome pythonClient(WebSocketServer server, String text) throws Exception {
        Path script = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .resolve("src/test/resources/tls/websockets_client.py");
        Outcome outcome = run(List.of(PYTHON.toString(), script.toString(),
                "wss://localhost:" + server.port() + "/echo", caFile.toString(), text));
        System.out.println("Python websockets client: " + outcome.output().strip().replace('\n', ';'));
        return outcome;
    }

    @Test
    void I_pythonWebsocketsEchoesOverWssWithTheHostNameChecked() throws Exception {
        Outcome outcome = pythonClient(forLocalhost, "hello from Python");
        assertEquals(0, outcome.exit(), outcome.output());
        assertTrue(outcome.output().startsWith("ECHO hello from Python\n"), outcome.output());
    }

    @Test
    void B6_pythonWebsocketsRefusesACertificateForAnotherHost() throws Exception {
        Outcome outcome = pythonClient(forAnotherHost, "never sent");
        assertEquals(1, outcome.exit(), outcome.output());
        assertTrue(outcome.output().startsWith("FAILED SSLCertVerificationError "), outcome.output());
        assertTrue(outcome.output().contains("Hostname mismatch"), "refused for its name: " + outcome.output());
    }
}
