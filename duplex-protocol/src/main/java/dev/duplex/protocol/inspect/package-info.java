/**
 * Reading a conversation as an observer, for display rather than to take part in it: a
 * {@link dev.duplex.protocol.inspect.ConnectionDissector} follows both directions of one
 * connection (the upgrade request, the 101, then frames, inflated when compressed), reporting
 * each {@link dev.duplex.protocol.inspect.Dissection} with the protocol
 * {@link dev.duplex.protocol.inspect.Violation}s it saw. The {@code duplex} command's trace and
 * decode are built on it.
 */
package dev.duplex.protocol.inspect;
