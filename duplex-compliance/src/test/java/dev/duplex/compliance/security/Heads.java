package dev.duplex.compliance.security;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.util.Locale;

/** Sends upgrade requests from a raw socket and reads the answer's head. */
final class Heads {
    private Heads() {}

    /** Opens a socket, sends the upgrade request for {@code target} with these extra lines, reads the head. */
    static Answer upgrade(int port, String target, String... extraLines) throws IOException {
        try (RawPeer peer = RawPeer.open(port)) {
            return send(peer, port, target, extraLines);
        }
    }

    /** Sends the upgrade request on an open peer and reads the answer's head; the peer stays open. */
    static Answer send(RawPeer peer, int port, String target, String... extraLines) throws IOException {
        StringBuilder request = new StringBuilder(RawPeer.requestStart(port, target));
        for (String line : extraLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        peer.send(request.toString().getBytes(ISO_8859_1));
        return new Answer(peer.readResponseHead());
    }

    /** A response head. */
    record Answer(String head) {
        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        /** The value of the one field with this name, or null. */
        String field(String name) {
            String prefix = "\r\n" + name.toLowerCase(Locale.ROOT) + ":";
            String lower = head.toLowerCase(Locale.ROOT);
            int at = lower.indexOf(prefix);
            if (at < 0) {
                return null;
            }
            int start = at + prefix.length();
            int end = head.indexOf("\r\n", start);
            return head.substring(start, end).trim();
        }
    }
}
