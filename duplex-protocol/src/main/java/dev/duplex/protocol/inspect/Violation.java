package dev.duplex.protocol.inspect;

import java.util.Objects;

/**
 * Something a peer sent that breaks the protocol, as a tracer reports it: the rule, what was
 * wrong, and what a conforming receiver must do about it.
 *
 * @param rule the section that sets the rule, e.g. {@code RFC 6455 5.1}
 * @param problem what was wrong, e.g. {@code client frame is not masked}; never holds payload
 * @param remedy what a conforming endpoint must (or, where the RFC leaves it open, may) do,
 *     e.g. {@code the server must fail the connection with 1002 (protocol error)}
 * @param closeCode the close code a receiver fails the connection with, or 0 when the remedy
 *     is not a close (a refused handshake, a frame to ignore)
 */
public record Violation(String rule, String problem, String remedy, int closeCode) {

    /** All parts are required. */
    public Violation {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(remedy, "remedy");
    }

    /** {@code problem (rule): remedy}, the line a trace prints. */
    @Override
    public String toString() {
        return problem + " (" + rule + "): " + remedy;
    }
}
