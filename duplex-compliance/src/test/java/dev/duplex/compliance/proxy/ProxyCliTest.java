package dev.duplex.compliance.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.WebSocketServer;
import dev.duplex.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code duplex connect} through real proxies (issue 16): {@code --proxy}, the {@code *_PROXY}
 * variables and {@code NO_PROXY} as curl reads them, credentials kept out of what it prints,
 * and {@code --reconnect} across a server restart on the same port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyCliTest {
    private static final long TIMEOUT = 20;
    private static final String USER = "bob";
    private static final String PASSWORD = "cli-Pr0xy-pw";

    private EchoServers servers;

    @BeforeAll
    void start() throws Exception {
        servers = new EchoServers();
    }

    @AfterAll
    void stop() {
        servers.close();
    }

    /** A stream that keeps what is written and lets a test wait, with a deadline, for what it expects. */
    static final class Captured extends OutputStream {
        private final StringBuilder text = new StringBuilder();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition grew = lock.newCondition();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            lock.lock();
            try {
                bytes.write(b, off, len);
                text.setLength(0);
                text.append(bytes.toString(StandardCharsets.UTF_8));
                grew.signalAll();
            } finally {
                lock.unlock();
            }
        }

        String text() {
            lock.lock();
            try {
                return text.toString();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until the text satisfies {@code condition}; fails after the deadline. */
        void await(Predicate<String> condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT);
            lock.lock();
            try {
                while (!condition.test(text.toString())) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no " + what + " within " + TIMEOUT + " s; got: " + text);
                    }
                    grew.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run connect(String input, Map<String, String> env, String... args) {
        Captured out = new Captured();
        Captured err = new Captured();
        List<String> all = new ArrayList<>(List.of("connect"));
        all.addAll(List.of(args));
        int exit = Main.run(all.toArray(String[]::new), new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(exit, out.text(), err.text());
    }

    @Test
    void connectWithProxyEchoesWssThroughTinyproxy() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(null, null)) {
            Run run = connect("hello\n", Map.of(), "--proxy", "http://127.0.0.1:" + proxy.port(),
                    "--tls-ca", servers.caPem.toString(), servers.wss().toString());
            assertEquals(0, run.exit, run.err);
            assertEquals("hello\n", run.out);
        }
    }

    @Test
    void connectWithSocks5ProxyEchoesWs() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.dante(false)) {
            Run run = connect("hello\n", Map.of(), "--proxy", "socks5://127.0.0.1:" + proxy.port(), servers.ws().toString());
            assertEquals(0, run.exit, run.err);
            assertEquals("hello\n", run.out);
        }
    }

    @Test
    void httpsProxyFromTheEnvironmentWithCredentialsAndNoneOfThemPrinted() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(USER, PASSWORD)) {
            String withLogin = "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + proxy.port();
            Run ok = connect("hello\n", Map.of("HTTPS_PROXY", withLogin), "--tls-ca", servers.caPem.toString(),
                    servers.wss().toString());
            assertEquals(0, ok.exit, ok.err);
            assertEquals("hello\n", ok.out);

            Run wrong = connect("hello\n", Map.of("HTTPS_PROXY", "http://" + USER + ":not-" + PASSWORD + "@127.0.0.1:"
                    + proxy.port()), "--tls-ca", servers.caPem.toString(), servers.wss().toString());
            assertEquals(1, wrong.exit);
            assertTrue(wrong.err.contains("HTTP proxy 127.0.0.1:" + proxy.port() + " answered CONNECT"), wrong.err);
            assertFalse(wrong.err.contains(PASSWORD), wrong.err);
            assertFalse(ok.err.contains(PASSWORD), ok.err);
        }
    }

    @Test
    void noProxyBypassesTheProxyTheEnvironmentNames() throws Exception {
        try (ProxyPeer proxy = ProxyPeer.tinyproxy(USER, PASSWORD)) {
            // Without credentials this proxy answers 407: a connect that got through did not use it.
            String proxyUrl = "http://127.0.0.1:" + proxy.port();
            Run proxied = connect("hello\n", Map.of("HTTPS_PROXY", proxyUrl), "--tls-ca", servers.caPem.toString(),
                    servers.wss().toString());
            assertEquals(1, proxied.exit);
            assertTrue(proxied.err.contains("407"), proxied.err);

            Run bypassed = connect("hello\n", Map.of("HTTPS_PROXY", proxyUrl, "NO_PROXY", "example.org,.localhost"),
                    "--tls-ca", servers.caPem.toString(), servers.wss().toString());
            assertEquals(0, bypassed.exit, bypassed.err);
            assertEquals("hello\n", bypassed.out);
        }
    }

    @Test
    void reconnectSurvivesAServerRestartAndShowsEachAttemptWithItsDelay() throws Exception {
        WebSocketServer first = EchoServers.echo(null, 0);
        int port = first.port();
        PipedOutputStream typing = new PipedOutputStream();
        InputStream input = new PipedInputStream(typing);
        Captured out = new Captured();
        Captured err = new Captured();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> exit.complete(Main.run(new String[] {"connect", "--reconnect",
                        "ws://127.0.0.1:" + port + "/echo"}, input, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of())));
        WebSocketServer second = null;
        try {
            typing.write("before\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            out.await(t -> t.equals("before\n"), "echo before the restart");
            first.stop(Duration.ofSeconds(5));
            err.await(t -> t.contains("reconnect attempt 2 in "), "a second attempt, the first having failed");
            second = EchoServers.echo(null, port);
            err.await(t -> t.contains("reconnected after "), "the reconnect");
            typing.write("after\n".getBytes(StandardCharsets.UTF_8));
            typing.close();
            assertEquals(0, exit.get(TIMEOUT, TimeUnit.SECONDS), err.text());
            assertEquals("before\nafter\n", out.text());
            assertTrue(err.text().matches("(?s).*reconnect attempt 1 in \\d+ ms \\(closed with 1001.*"), err.text());
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
