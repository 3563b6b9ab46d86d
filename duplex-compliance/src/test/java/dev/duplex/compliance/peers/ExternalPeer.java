package dev.duplex.compliance.peers;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A peer server in another process (Python websockets, Node ws): started with port 0, it prints
 * {@code PORT <port> VERSION <version>} first; its stderr goes to target/peers/NAME.log.
 * Public for the compression suite ({@code compliance.deflate}), which starts the
 * permessage-deflate servers with {@link #pythonDeflate} and {@link #nodeDeflate}.
 */
public final class ExternalPeer implements Peer {
    /** The system Python: the one Debian's python3-websockets installs into. */
    static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");
    private static final Pattern FIRST_LINE = Pattern.compile("PORT (\\d+) VERSION (\\S+)");
    private static final String INSTALL_HINT = "; run scripts/install-peers.sh to install it";

    private final Process process;
    private final String name;
    private final String scheme;
    private final int port;

    private ExternalPeer(Process process, String name, String scheme, int port) {
        this.process = process;
        this.name = name;
        this.scheme = scheme;
        this.port = port;
    }

    /** The module's directory, where the peer scripts live. */
    static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** Python websockets on ws, or on wss with a certificate and key (PEM). */
    static ExternalPeer python(Path certificate, Path key) throws Exception {
        requirePython();
        List<String> command = new ArrayList<>(List.of(SYSTEM_PYTHON.toString(),
                moduleDir().resolve("src/test/resources/peers/websockets_server.py").toString()));
        if (certificate != null) {
            command.add(certificate.toString());
            command.add(key.toString());
        }
        return start("Python websockets", command, certificate == null ? "ws" : "wss");
    }

    /**
     * Python websockets on wss that requires a client certificate from {@code clientCa} (mutual
     * TLS): {@code /echo}, and {@code /whoami}, which answers the client certificate's CN.
     */
    public static ExternalPeer pythonMutualTls(Path certificate, Path key, Path clientCa) throws Exception {
        requirePython();
        return start("Python websockets mTLS", List.of(SYSTEM_PYTHON.toString(),
                moduleDir().resolve("src/test/resources/peers/websockets_mtls_server.py").toString(),
                certificate.toString(), key.toString(), clientCa.toString()), "wss");
    }

    /**
     * Python websockets on ws serving {@code /echo} with permessage-deflate; {@code mode} is
     * {@code takeover} or {@code no_takeover} (see websockets_deflate_server.py).
     */
    public static ExternalPeer pythonDeflate(String mode) throws Exception {
        requirePython();
        return start("Python websockets deflate", List.of(SYSTEM_PYTHON.toString(),
                moduleDir().resolve("src/test/resources/peers/websockets_deflate_server.py").toString(), mode), "ws");
    }

    /** Node ws, from the module's own node_modules. */
    static ExternalPeer node() throws Exception {
        return start("Node ws", List.of("node", requireNode().resolve("ws-server.js").toString()), "ws");
    }

    /**
     * Node ws serving {@code /echo} with permessage-deflate; {@code mode} is {@code takeover}
     * or {@code no_takeover} (see ws-deflate-server.js).
     */
    public static ExternalPeer nodeDeflate(String mode) throws Exception {
        return start("Node ws deflate", List.of("node", requireNode().resolve("ws-deflate-server.js").toString(), mode),
                "ws");
    }

    private static void requirePython() {
        assumeTrue(Files.isExecutable(SYSTEM_PYTHON) && succeeds(List.of(SYSTEM_PYTHON.toString(), "-c", "import websockets")),
                "Python websockets is not installed for /usr/bin/python3 (Debian python3-websockets)" + INSTALL_HINT);
    }

    /** The directory of the Node peers, once Node and ws are known to be there. */
    private static Path requireNode() {
        Path nodeDir = moduleDir().resolve("src/test/node");
        assumeTrue(Files.exists(nodeDir.resolve("node_modules/ws/package.json")) && succeeds(List.of("node", "--version")),
                "Node ws is not installed in duplex-compliance/src/test/node" + INSTALL_HINT);
        return nodeDir;
    }

    private static boolean succeeds(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ExternalPeer start(String name, List<String> command, String scheme) throws Exception {
        Path logs = moduleDir().resolve("target/peers");
        Files.createDirectories(logs);
        Process process = new ProcessBuilder(command)
                .redirectError(logs.resolve(name.replace(' ', '-') + ".log").toFile())
                .start();
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                return null;
            }
        }, r -> Thread.ofVirtual().start(r));
        String line;
        try {
            line = firstLine.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not print its port", e);
        }
        Matcher m = line == null ? null : FIRST_LINE.matcher(line);
        if (m == null || !m.matches()) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not start (see target/peers): " + line);
        }
        return new ExternalPeer(process, name + " " + m.group(2), scheme, Integer.parseInt(m.group(1)));
    }

    /** The implementation and version, e.g. {@code Python websockets 10.4}. */
    @Override
    public String name() {
        return name;
    }

    /** The URI of a path on this peer. */
    @Override
    public URI uri(String path) {
        // wss peers present a certificate for "localhost"; ws peers are reached by address.
        return URI.create(scheme + "://" + (scheme.equals("wss") ? "localhost" : "127.0.0.1") + ":" + port + path);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
