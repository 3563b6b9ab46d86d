package dev.duplex.protocol.inspect;

import dev.duplex.protocol.frame.Opcode;
import dev.duplex.protocol.handshake.Headers;
import java.util.List;
import java.util.Objects;

/**
 * One thing a dissector found in a stream of bytes: an HTTP head, a frame, bytes it did not
 * dissect, or a remark about the stream. Each names the direction its bytes travelled.
 */
public sealed interface Dissection {

    /** Which way the bytes went. */
    Direction direction();

    /** Protocol violations found here, in the order found; often empty. */
    List<Violation> violations();

    /**
     * An HTTP head: the upgrade request, its response, or a plain HTTP exchange on the same port
     * (such as the demo page).
     *
     * @param startLine the request line or status line, as sent
     * @param headers the header fields
     * @param notes what the dissector checked or learned, e.g. that the accept key matches or
     *     which permessage-deflate parameters were agreed
     */
    record Head(Direction direction, String startLine, Headers headers, List<String> notes,
                List<Violation> violations) implements Dissection {
        public Head {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(startLine, "startLine");
            Objects.requireNonNull(headers, "headers");
            notes = List.copyOf(notes);
            violations = List.copyOf(violations);
        }
    }

    /**
     * One WebSocket frame (RFC 6455 5.2), with its payload unmasked.
     *
     * @param fin the FIN bit
     * @param rsv the RSV1–RSV3 bits as they stand in the first byte ({@code 0x40 | 0x20 | 0x10})
     * @param opcode the four-bit opcode, reserved values included
     * @param masked the MASK bit
     * @param maskingKey the masking key, big-endian as on the wire; 0 when not masked
     * @param payloadLength the payload length the header announced
     * @param lengthBits which field carried the length: 7, 16 or 64 bits
     * @param messageType {@code TEXT} or {@code BINARY} for a data frame, the type of the message
     *     a continuation frame continues; null for control frames, reserved opcodes and a
     *     continuation with no message to continue
     * @param fragment the frame's position in its message, from 1; 0 for frames outside a message
     * @param compressed whether the frame's message is compressed with permessage-deflate
     * @param payload the unmasked payload, at most the dissector's display limit
     * @param inflated what inflating this frame's payload produced, at most the display limit;
     *     null when the message is not compressed or could not be inflated
     * @param inflatedLength how many bytes this frame inflated to in all; -1 when not inflated
     * @param closeCode the status code of a close frame; -1 for other frames and for a close
     *     frame with no body
     * @param closeReason the reason of a close frame with a valid code and UTF-8 reason; else null
     */
    record Frame(Direction direction, boolean fin, int rsv, int opcode, boolean masked, int maskingKey,
                 long payloadLength, int lengthBits, Opcode messageType, int fragment, boolean compressed,
                 byte[] payload, byte[] inflated, long inflatedLength, int closeCode, String closeReason,
                 List<Violation> violations) implements Dissection {
        public Frame {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(payload, "payload");
            violations = List.copyOf(violations);
        }

        /** The opcode's name: {@code TEXT}, {@code CLOSE}, or {@code RESERVED-0x3} for one with none. */
        public String opcodeName() {
            Opcode known = Opcode.of(opcode);
            return known != null ? known.name() : String.format("RESERVED-0x%X", opcode);
        }

        /** Whether the payload shown is shorter than the payload sent. */
        public boolean payloadCut() {
            return payload.length < payloadLength;
        }

        /** Whether the inflated bytes shown are fewer than the bytes inflated. */
        public boolean inflatedCut() {
            return inflated != null && inflated.length < inflatedLength;
        }

        /** Whether the payload is text to show as text: part of a text message, not compressed. */
        public boolean payloadIsText() {
            return messageType == Opcode.TEXT && !compressed && (rsv & 0x40) == 0;
        }
    }

    /**
     * Bytes the dissector passed over: an HTTP body, or what follows a point where the stream
     * could no longer be read as frames.
     *
     * @param length how many bytes
     * @param what what they were, e.g. {@code HTTP body}
     */
    record Skipped(Direction direction, long length, String what, List<Violation> violations) implements Dissection {
        public Skipped {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(what, "what");
            violations = List.copyOf(violations);
        }
    }

    /**
     * A remark about the stream, such as that it ended in the middle of a frame or without a
     * close frame.
     */
    record Note(Direction direction, String text, List<Violation> violations) implements Dissection {
        public Note {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(text, "text");
            violations = List.copyOf(violations);
        }
    }
}
