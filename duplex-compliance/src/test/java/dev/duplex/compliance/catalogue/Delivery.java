package dev.duplex.compliance.catalogue;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;

/**
 * How a row's bytes go out: in one write, or one byte per write (with TCP_NODELAY each byte
 * is a segment of its own, and over TLS a record of its own), so that every parser on the way
 * sees the input split at every byte (row C11).
 */
public enum Delivery {
    WHOLE, BYTE_AT_A_TIME;

    /**
     * Writes the bytes; returns the write's failure rather than throwing it. Once a row has
     * sent something the server must refuse, the server may close before the rest is out, and
     * the verdict comes from what is read back.
     */
    IOException write(RawPeer peer, byte[] bytes) {
        try {
            if (this == WHOLE) {
                peer.send(bytes);
            } else {
                for (byte b : bytes) {
                    peer.send(new byte[] {b});
                }
            }
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    @Override
    public String toString() {
        return this == WHOLE ? "whole" : "byte at a time";
    }
}
