/**
 * Frames on the wire (RFC 6455 5.2–5.5): {@link dev.duplex.protocol.frame.FrameDecoder} judges a
 * frame from its header before reading its payload, {@link dev.duplex.protocol.frame.FrameEncoder}
 * writes frames, {@link dev.duplex.protocol.frame.Masking} and
 * {@link dev.duplex.protocol.frame.MaskingKeys} apply and choose masking keys, and
 * {@link dev.duplex.protocol.frame.ClosePayload} reads and builds close bodies.
 * {@link dev.duplex.protocol.frame.FrameFormatter} is the human-readable dump that
 * {@code duplex trace}, {@code duplex decode} and {@code duplex connect --frames} print.
 */
package dev.duplex.protocol.frame;
