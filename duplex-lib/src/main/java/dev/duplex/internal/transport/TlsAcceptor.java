package dev.duplex.internal.transport;

import dev.duplex.TlsOptions;
import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The server side of TLS: layers a server-mode {@link SSLSocket} over an accepted socket and
 * runs the handshake. It runs on the connection's own thread, inside the handshake deadline,
 * so a ClientHello that trickles in or never ends is cut off like a slow HTTP head (rows A16
 * and I), and one slow client never holds up the accept loop.
 *
 * <p>Safe for use from any thread: {@link #reload} swaps the options that later handshakes use,
 * while connections already open keep their own session.
 */
public final class TlsAcceptor {
    private static final String[] APPLICATION_PROTOCOLS = {TlsOptions.APPLICATION_PROTOCOL};

    private volatile TlsOptions options;

    public TlsAcceptor(TlsOptions options) {
        this.options = Objects.requireNonNull(options);
    }

    /** New handshakes present what {@code replacement} holds; open connections are not touched. */
    public void reload(TlsOptions replacement) {
        this.options = Objects.requireNonNull(replacement);
    }

    public TlsOptions options() {
        return options;
    }

    /**
     * Runs the server handshake over {@code plain} and returns the TLS socket to speak HTTP on.
     * Closing {@code plain} (as the deadline does) makes a handshake in progress fail at once.
     *
     * @throws IOException when the handshake fails: a protocol or version the server refuses,
     *     no common ALPN protocol, or a socket closed under it
     */
    public SSLSocket handshake(Socket plain) throws IOException {
        TlsOptions current = options;
        // The form of createSocket meant for servers: nothing read from the socket yet.
        SSLSocket tls = (SSLSocket) current.sslContext().getSocketFactory().createSocket(plain, null, true);
        tls.setUseClientMode(false);
        SSLParameters parameters = tls.getSSLParameters();
        List<String> supported = Arrays.asList(tls.getSupportedProtocols());
        String[] protocols = current.protocols().stream().filter(supported::contains).toArray(String[]::new);
        if (protocols.length == 0) {
            throw new IOException("the TLS provider supports none of " + current.protocols());
        }
        parameters.setProtocols(protocols);
        // RFC 7301 3.2: a client that offers ALPN without http/1.1 gets no_application_protocol.
        parameters.setApplicationProtocols(APPLICATION_PROTOCOLS);
        // Mutual TLS when asked for: the JDK checks the chain against the options' CA bundle.
        // Each of these setters overrides the other, so exactly one of them is called.
        switch (current.clientAuth()) {
            case REQUIRED -> parameters.setNeedClientAuth(true);
            case OPTIONAL -> parameters.setWantClientAuth(true);
            case NONE -> parameters.setNeedClientAuth(false); // clears both
        }
        parameters.setUseCipherSuitesOrder(true);
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }
}
