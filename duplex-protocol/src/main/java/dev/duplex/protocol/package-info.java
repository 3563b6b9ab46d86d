/**
 * The sans-I/O WebSocket connection (RFC 6455 5–7): {@link dev.duplex.protocol.Connection}
 * takes the bytes a transport read, reports what they meant as {@link dev.duplex.protocol.Event}s
 * in wire order, and hands back the bytes to write, including the automatic pongs and close
 * replies. It opens no socket, starts no thread and reads no clock of its own.
 *
 * <p>Every protocol error and passed limit becomes one {@link dev.duplex.protocol.ProtocolException}
 * carrying the close code to fail the connection with; {@link dev.duplex.protocol.CloseStatus}
 * names the codes and is the one place that decides which may be sent and received. {@link dev.duplex.protocol.Limits} bounds what a
 * peer may make a connection hold; {@link dev.duplex.protocol.MessageAssembler} and
 * {@link dev.duplex.protocol.Utf8Validator} do the checks that span frames.
 */
package dev.duplex.protocol;
