package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.duplex.TlsOptions;
import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** Connections to a {@link ChildServer}: plain or TLS (trusting the test CA), raw bytes above. */
final class ChildClients {
    private ChildClients() {}

    /**
     * A connected socket, the TLS handshake done for wss. {@code receiveBuffer}, when positive,
     * is set before connecting, so that a peer that never reads offers a small window.
     */
    static Socket connect(Transport transport, int port, int receiveBuffer) throws IOException {
        Socket socket;
        try {
            socket = transport == Transport.WS ? new Socket()
                    : CatalogueServers.trustingContext().getSocketFactory().createSocket();
        } catch (Exception e) {
            throw new IOException("no TLS context", e);
        }
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            if (socket instanceof SSLSocket tls) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {TlsOptions.APPLICATION_PROTOCOL});
                tls.setSSLParameters(parameters);
                tls.setSoTimeout(10_000);
                tls.startHandshake();
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A connection upgraded at {@code target}. */
    static RawPeer upgrade(Transport transport, int port, String target, int receiveBuffer) throws IOException {
        RawPeer peer = RawPeer.over(connect(transport, port, receiveBuffer));
        try {
            peer.send(RawPeer.upgradeRequest(port, target).getBytes(ISO_8859_1));
            peer.expectSwitchingProtocols();
            return peer;
        } catch (IOException | RuntimeException | AssertionError e) {
            peer.close();
            throw e;
        }
    }
}
