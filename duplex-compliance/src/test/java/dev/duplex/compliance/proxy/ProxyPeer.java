package dev.duplex.compliance.proxy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real proxy from Debian, started on a free loopback port with a config file of its own:
 * tinyproxy for HTTP {@code CONNECT} (optionally with Basic authentication), dante's danted for
 * SOCKS5 (optionally with a username and password, which danted checks against the system's
 * users: scripts/install-peers.sh makes {@link #SOCKS_USER}). Each is ready once it has logged
 * that it listens; its output goes to target/peers/NAME.log. A proxy that is not installed makes
 * the test skip.
 */
final class ProxyPeer implements AutoCloseable {
    static final Path TINYPROXY = Path.of("/usr/bin/tinyproxy");
    static final Path DANTED = Path.of("/usr/sbin/danted");
    /** The system user install-peers.sh adds for SOCKS5 logins, and its test-only password. */
    static final String SOCKS_USER = "duplexsocks";
    static final String SOCKS_PASSWORD = "s0cks-pw";
    private static final long READY_SECONDS = 15;

    private final Process process;
    private final String name;
    private final int port;

    private ProxyPeer(Process process, String name, int port) {
        this.process = process;
        this.name = name;
        this.port = port;
    }

    /** tinyproxy; with {@code user} non-null it demands {@code Proxy-Authorization: Basic}. */
    static ProxyPeer tinyproxy(String user, String password) throws Exception {
        assumeTrue(Files.isExecutable(TINYPROXY), "tinyproxy is not installed; run scripts/install-peers.sh");
        int port = freePort();
        Path dir = Files.createTempDirectory("duplex-tinyproxy");
        StringBuilder config = new StringBuilder()
                .append("Port ").append(port).append('\n')
                .append("Listen 127.0.0.1\n")
                .append("Timeout 60\n")
                .append("MaxClients 200\n")
                .append("Allow 127.0.0.1\n")
                .append("LogLevel Info\n");
        if (user != null) {
            config.append("BasicAuth ").append(user).append(' ').append(password).append('\n');
        }
        Path file = dir.resolve("tinyproxy.conf");
        Files.writeString(file, config);
        return start(user == null ? "tinyproxy" : "tinyproxy-auth",
                List.of(TINYPROXY.toString(), "-d", "-c", file.toString()), port,
                line -> line.contains("listening on fd"));
    }

    /** danted; with {@code login} it accepts only RFC 1929 logins of {@link #SOCKS_USER}. */
    static ProxyPeer dante(boolean login) throws Exception {
        assumeTrue(Files.isExecutable(DANTED), "dante-server is not installed; run scripts/install-peers.sh");
        if (login) {
            assumeTrue(userExists(SOCKS_USER), "the SOCKS5 test user " + SOCKS_USER
                    + " does not exist; run scripts/install-peers.sh as root");
        }
        int port = freePort();
        Path dir = Files.createTempDirectory("duplex-danted");
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root || !login, "danted reads the shadow passwords only as root");
        String config = "logoutput: stderr\n"
                + "internal: 127.0.0.1 port = " + port + "\n"
                + "external: 127.0.0.1\n"
                + "socksmethod: " + (login ? "username" : "none") + "\n"
                + "clientmethod: none\n"
                + (root ? "user.privileged: root\nuser.unprivileged: nobody\n" : "")
                + "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
                + "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }\n"
                + "socks pass { from: 127.0.0.0/8 to: . command: connect }\n";
        Path file = dir.resolve("danted.conf");
        Files.writeString(file, config);
        return start(login ? "danted-login" : "danted",
                List.of(DANTED.toString(), "-f", file.toString(), "-p", dir.resolve("danted.pid").toString()), port,
                line -> line.contains("running"));
    }

    private static boolean userExists(String user) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
        } catch (IOException e) {
            return false;
        }
    }

    private static ProxyPeer start(String name, List<String> command, int port, Predicate<String> ready)
            throws Exception {
        Path logDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "peers");
        Files.createDirectories(logDir);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread.ofVirtual().name(name + "-log").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter log = new PrintWriter(Files.newBufferedWriter(logDir.resolve(name + ".log")), true)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.println(line);
                    if (ready.test(line)) {
                        listening.complete(null);
                    }
                }
                listening.completeExceptionally(new IllegalStateException(name + " exited before listening; see "
                        + logDir.resolve(name + ".log")));
            } catch (IOException e) {
                listening.completeExceptionally(new UncheckedIOException(e));
            }
        });
        try {
            listening.get(READY_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
        System.out.println("proxy " + name + " listening on 127.0.0.1:" + port);
        return new ProxyPeer(process, name, port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    String name() {
        return name;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
