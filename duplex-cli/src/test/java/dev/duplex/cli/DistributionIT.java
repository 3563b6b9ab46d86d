package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI distribution as a user gets it: {@code target/duplex-<version>.tar.gz} unpacked in a
 * directory of its own, far from the source tree, and its {@code bin/duplex} run as a command.
 * Run by failsafe after {@code package} has built the tarball.
 */
@Timeout(120)
class DistributionIT {
    private static final Pattern LISTENING = Pattern.compile("Duplex listening on http://[^ ]*:(\\d+)/");

    @TempDir
    static Path unpacked;
    private static Path command;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("duplex.distribution", "target/duplex.tar.gz"));
        assertTrue(Files.isRegularFile(tarball), tarball + " was not built");
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString())
                .directory(unpacked.toFile()).redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS), "tar did not finish");
        assertEquals(0, tar.exitValue(), output);
        command = unpacked.resolve("duplex-" + System.getProperty("duplex.version") + "/bin/duplex");
        assertTrue(Files.isExecutable(command), command + " is not in the tarball, or not executable");
    }

    /**
     * Runs bin/duplex from the temporary directory. JAVA_HOME is taken away and the JDK running
     * this test put first on PATH, so the launcher has to find a JDK 21+ by itself.
     */
    private static ProcessBuilder duplex(String... args) {
        List<String> line = new ArrayList<>(List.of(command.toString()));
        line.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(line).directory(unpacked.toFile());
        Map<String, String> env = builder.environment();
        env.remove("JAVA_HOME");
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        return builder;
    }

    @Test
    void decodeDissectsTheRfcsMaskedHello() throws Exception {
        // RFC 6455 5.7: a single-frame masked text message containing "Hello".
        Process process = duplex("decode", "81", "85", "37", "fa", "21", "3d", "7f", "9f", "4d", "51", "58")
                .redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "duplex decode did not finish");
        String text = output.get(10, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), text);
        assertTrue(text.contains("text: \"Hello\""), text);
        assertTrue(text.contains("key=37fa213d"), text);
    }

    @Test
    void serveAnswersWithTheDemoPageAndStops() throws Exception {
        Process process = duplex("serve", "--host", "127.0.0.1", "--port", "0").redirectErrorStream(true).start();
        try {
            // The port the system chose is on the first line; reading it is the wait for the server.
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> listeningPort(lines));
            int p = port.get(60, TimeUnit.SECONDS);
            // Keep draining so the server never blocks on a full pipe.
            Thread.ofVirtual().start(() -> readAll(process));

            String page = get(p, "/");
            assertTrue(page.startsWith("HTTP/1.1 200"), page);
            assertTrue(page.contains("<title>Duplex demo</title>"), page);
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertTrue(!process.isAlive(), "duplex serve did not stop");
    }

    /** A plain HTTP/1.1 GET over a socket, the whole answer as text. */
    private static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int listeningPort(BufferedReader lines) {
        StringBuilder seen = new StringBuilder();
        try {
            for (String line; (line = lines.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(seen.toString(), e);
        }
        throw new IllegalStateException("duplex serve ended before it listened:\n" + seen);
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output lost: " + e + ")";
        }
    }
}
