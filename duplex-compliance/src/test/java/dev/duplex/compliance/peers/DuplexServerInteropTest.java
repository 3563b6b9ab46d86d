package dev.duplex.compliance.peers;

/** The client against Duplex's own server. */
class DuplexServerInteropTest extends PeerContract {
    @Override
    Peer startPeer() throws Exception {
        return new DuplexPeer();
    }
}
