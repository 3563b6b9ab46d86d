package dev.duplex;

import java.io.IOException;

/**
 * A send was refused because the connection's outbound queue would pass its hard limit: the
 * peer reads more slowly than the application writes.
 */
public final class OutboundLimitException extends IOException {
    public OutboundLimitException(String message) {
        super(message);
    }
}
