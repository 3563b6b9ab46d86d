package dev.duplex.compliance.peers;

/** The client against Node ws (npm). */
class NodeWsInteropTest extends PeerContract {
    @Override
    Peer startPeer() throws Exception {
        return ExternalPeer.node();
    }
}
