package dev.duplex.compliance.proxy;

import dev.duplex.Message;
import dev.duplex.TlsOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.peers.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Duplex echo servers on loopback for the proxy tests: ws, and wss with a certificate for
 * {@code localhost} from a CA made for this run, plus one whose certificate names another host.
 */
final class EchoServers implements AutoCloseable {
    final TestPki pki;
    final WebSocketServer plain;
    final WebSocketServer secure;
    final WebSocketServer wrongName;
    /** The CA's certificate as PEM, for {@code duplex connect --tls-ca}. */
    final Path caPem;

    EchoServers() throws Exception {
        pki = new TestPki();
        Path dir = Files.createTempDirectory("duplex-proxy-tls");
        Path[] localhost = pki.issue(List.of("localhost"), List.of("127.0.0.1")).writePem(dir, "localhost");
        Path[] other = pki.issue(List.of("other.example"), List.of()).writePem(dir, "other");
        caPem = pki.writeCaPem(dir, "ca");
        plain = echo(null);
        secure = echo(TlsOptions.fromPem(localhost[0], localhost[1]));
        wrongName = echo(TlsOptions.fromPem(other[0], other[1]));
    }

    private static WebSocketServer echo(TlsOptions tls) {
        return echo(tls, 0);
    }

    /** An echo server on {@code port} (0 for any free one). */
    static WebSocketServer echo(TlsOptions tls, int port) {
        WebSocketServer.Builder builder = WebSocketServer.builder().host("127.0.0.1").port(port)
                .route("/echo", new WebSocketHandler() {
                    @Override
                    public void onMessage(WebSocket socket, Message message) {
                        socket.send(message);
                    }
                });
        if (tls != null) {
            builder.tls(tls);
        }
        return builder.build().start();
    }

    /** ws://localhost:PORT/echo: a name, which the proxy resolves. */
    URI ws() {
        return URI.create("ws://localhost:" + plain.port() + "/echo");
    }

    URI wss() {
        return URI.create("wss://localhost:" + secure.port() + "/echo");
    }

    URI wssWrongName() {
        return URI.create("wss://localhost:" + wrongName.port() + "/echo");
    }

    @Override
    public void close() {
        plain.close();
        secure.close();
        wrongName.close();
    }
}
