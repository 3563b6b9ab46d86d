package dev.duplex.compliance.peers;

/** The client against Python websockets (Debian python3-websockets). */
class PythonWebsocketsInteropTest extends PeerContract {
    @Override
    Peer startPeer() throws Exception {
        return ExternalPeer.python(null, null);
    }
}
