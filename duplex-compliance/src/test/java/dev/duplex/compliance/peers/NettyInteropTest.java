package dev.duplex.compliance.peers;

/** The client against Netty 4.1. */
class NettyInteropTest extends PeerContract {
    @Override
    Peer startPeer() throws Exception {
        return new NettyPeer();
    }
}
