package dev.duplex.compliance.peers;

/** The client against Jetty 12. */
class JettyInteropTest extends PeerContract {
    @Override
    Peer startPeer() throws Exception {
        return new JettyPeer();
    }
}
