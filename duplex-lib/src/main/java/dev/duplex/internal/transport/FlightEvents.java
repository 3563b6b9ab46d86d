package dev.duplex.internal.transport;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Java Flight Recorder events for what an operator looks for in a recording: connections
 * opened, connections closed (with their code, who closed, how long they lived and how many
 * bytes they moved) and refused handshakes. Enabled by default, so {@code jcmd PID JFR.start}
 * shows them with no settings file; when no recording runs, each costs a check of a flag.
 * No event carries a query string, a header value or a payload.
 */
final class FlightEvents {
    private FlightEvents() {}

    /** A WebSocket connection past its handshake. */
    @Name("dev.duplex.ConnectionOpened")
    @Label("WebSocket Connection Opened")
    @Category({"Duplex", "WebSocket"})
    @StackTrace(false)
    static final class Opened extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Path")
        @Description("The request's path, without its query")
        String path;
        @Label("Role")
        @Description("server or client")
        String role;
    }

    /** A WebSocket connection that ended; the event's duration is the connection's life. */
    @Name("dev.duplex.ConnectionClosed")
    @Label("WebSocket Connection Closed")
    @Category({"Duplex", "WebSocket"})
    @StackTrace(false)
    static final class Closed extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Path")
        String path;
        @Label("Role")
        String role;
        @Label("Close Code")
        int code;
        @Label("Closed Locally")
        @Description("Whether this end closed or failed the connection first")
        boolean local;
        @Label("Bytes In")
        @DataAmount
        long bytesIn;
        @Label("Bytes Out")
        @DataAmount
        long bytesOut;
    }

    /** An upgrade request answered with something other than 101. */
    @Name("dev.duplex.HandshakeRefused")
    @Label("WebSocket Handshake Refused")
    @Category({"Duplex", "WebSocket"})
    @StackTrace(false)
    static final class Refused extends Event {
        @Label("Remote Address")
        String remoteAddress;
        @Label("Status")
        int status;
    }
}
