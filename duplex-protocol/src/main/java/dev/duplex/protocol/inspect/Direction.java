package dev.duplex.protocol.inspect;

import dev.duplex.protocol.Role;

/** Which way bytes travel on a connection that is being watched. */
public enum Direction {
    CLIENT_TO_SERVER(Role.CLIENT, "client->server"),
    SERVER_TO_CLIENT(Role.SERVER, "server->client");

    private final Role sender;
    private final String label;

    Direction(Role sender, String label) {
        this.sender = sender;
        this.label = label;
    }

    /** The end that sends these bytes, which decides whether its frames must be masked. */
    public Role sender() {
        return sender;
    }

    /** The other way. */
    public Direction reverse() {
        return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
    }

    /** The end that receives these bytes, named for messages about what it must do. */
    String receiverName() {
        return this == CLIENT_TO_SERVER ? "the server" : "the client";
    }

    /** {@code client->server} or {@code server->client}, as traces print it. */
    public String label() {
        return label;
    }

    /** The direction whose sender has this role. */
    public static Direction from(Role sender) {
        return sender == Role.CLIENT ? CLIENT_TO_SERVER : SERVER_TO_CLIENT;
    }
}
