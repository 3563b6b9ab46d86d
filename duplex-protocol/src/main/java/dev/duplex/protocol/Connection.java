package dev.duplex.protocol;

import dev.duplex.protocol.extension.Extension;
import dev.duplex.protocol.frame.ClosePayload;
import dev.duplex.protocol.frame.FrameDecoder;
import dev.duplex.protocol.frame.FrameEncoder;
import dev.duplex.protocol.frame.FrameHeader;
import dev.duplex.protocol.frame.Masking;
import dev.duplex.protocol.frame.MaskingKeys;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One WebSocket connection after the opening handshake, as a state machine over bytes
 * (RFC 6455 5–7). The transport feeds it what it reads ({@link #receiveData}), takes events
 * one at a time ({@link #nextEvent}) and writes what it is given ({@link #takeOutbound}).
 *
 * <p>Events are decoded lazily, one per call, and the protocol's own answers to a frame (a
 * pong, a close reply, the close frame that fails the connection) are queued only when that
 * frame's event is taken. So whatever the application sends in answer to a message goes out
 * before the protocol's answer to anything that followed it on the wire.
 *
 * <p>Not thread-safe: the transport serialises every call.
 */
public final class Connection {

    /** RFC 6455 4.1, 7.1.3: where the connection stands in its life. */
    public enum State {
        /** Messages flow both ways. */
        OPEN,
        /** A close frame went one way and not yet the other. */
        CLOSING,
        /** The close handshake is complete, the connection failed, or the stream ended. */
        CLOSED
    }

    /** Where a client's frames are masked (RFC 6455 5.3); a server's are never masked. */
    public enum ClientMasking {
        /** {@link #takeOutbound} gives each frame masked, in a fresh array of its size: the default. */
        IN_FRAMES,
        /**
         * {@link #takeOutbound} gives each frame with the MASK bit and key in its header and the
         * payload still plain (a large one by reference, as a server's is). The transport must
         * pass every byte through one {@link dev.duplex.protocol.frame.OutboundMasker}, which
         * masks into a bounded buffer as it writes: no frame-sized array per frame.
         */
        ON_WRITE
    }

    /** Small, because the buffer is let go whenever it empties and taken again per read. */
    private static final int MIN_INBOUND_CAPACITY = 256;

    private final Role role;
    private final FrameDecoder decoder;
    private final MessageAssembler assembler;
    private final Extension extension;
    private final MaskingKeys maskingKeys;
    private final boolean maskOnWrite;

    private ByteBuffer inbound = ByteBuffer.allocate(0);   // read mode
    private FrameHeader frame;                              // the frame whose payload is arriving
    private long frameRemaining;
    private int keyIndex;
    private byte[] controlPayload;
    private int controlFilled;

    private final List<ByteBuffer> outbound = new ArrayList<>();
    private int queuedPong = -1;                            // index in outbound of an unsent pong

    private boolean closeSent;
    private boolean closeReceived;
    private boolean failed;
    private boolean endOfStream;
    private boolean endOfStreamReported;
    private ClosePayload peerClose;

    /**
     * @param role which end this is
     * @param limits bounds on inbound messages
     * @param extension the negotiated extension, or null
     * @param random the CSPRNG for a client's masking keys; unused by a server
     */
    public Connection(Role role, Limits limits, Extension extension, SecureRandom random) {
        this(role, limits, extension, random, ClientMasking.IN_FRAMES);
    }

    /**
     * @param masking where a client's frames are masked; ignored for a server
     */
    public Connection(Role role, Limits limits, Extension extension, SecureRandom random, ClientMasking masking) {
        this.role = role;
        this.maskOnWrite = role == Role.CLIENT && masking == ClientMasking.ON_WRITE;
        this.extension = extension;
        this.decoder = new FrameDecoder(role, limits.maxMessageSize(), limits.strictLengthEncoding());
        if (extension != null) {
            decoder.allowRsv(extension.rsvMask());
        }
        this.assembler = new MessageAssembler(limits, extension);
        this.maskingKeys = role == Role.CLIENT ? new MaskingKeys(random) : null;
    }

    public Role role() {
        return role;
    }

    /** Whether the transport masks this client's frames as it writes them ({@link ClientMasking#ON_WRITE}). */
    public boolean masksOnWrite() {
        return maskOnWrite;
    }

    public State state() {
        if (failed || endOfStream || (closeSent && closeReceived)) {
            return State.CLOSED;
        }
        return closeSent || closeReceived ? State.CLOSING : State.OPEN;
    }

    /** The peer's close frame, once received: its code (1005 for none) and reason. */
    public ClosePayload peerClose() {
        return peerClose;
    }

    /** Whether this end has sent, or queued, its close frame. */
    public boolean isCloseSent() {
        return closeSent;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Takes bytes read from the peer; what is kept is copied, so the buffer may be reused. Bytes that
     * arrive after the close frame, after a failure or after the end of the stream are dropped
     * (row C13).
     */
    public void receiveData(ByteBuffer data) {
        if (isReadClosed() || !data.hasRemaining()) {
            data.position(data.limit());
            return;
        }
        takeBinaryPayload(data);
        if (!data.hasRemaining()) {
            return;
        }
        int needed = inbound.remaining() + data.remaining();
        if (inbound.capacity() - inbound.limit() < data.remaining()) {
            ByteBuffer bigger = inbound.capacity() >= needed && inbound.position() > 0
                    ? inbound.compact().flip()
                    : ByteBuffer.allocate(Math.max(needed, MIN_INBOUND_CAPACITY)).put(inbound).flip();
            inbound = bigger;
        }
        int start = inbound.limit();
        inbound.limit(start + data.remaining());
        inbound.put(start, data, data.position(), data.remaining());
        data.position(data.limit());
    }

    /**
     * While the payload of an uncompressed binary frame is arriving and nothing received
     * earlier waits to be decoded, its bytes go straight from the caller's buffer to the
     * message, unmasked as they are copied: one pass over them, no copy into {@link #inbound},
     * and the caller's bytes stay as they were. Nothing here can fail (the frame's announced
     * length was checked against the limit when it started) and nothing is reordered, so
     * decoding on in {@link #nextEvent} gives the same events as if the bytes had waited.
     */
    private void takeBinaryPayload(ByteBuffer data) {
        if (frame == null || frameRemaining == 0 || inbound.hasRemaining() || frame.opcode().isControl()
                || !assembler.takesBinaryPayload()) {
            return;
        }
        int n = (int) Math.min(frameRemaining, data.remaining());
        keyIndex = assembler.binaryPayload(data, n, frame.masked(), frame.maskingKey(), keyIndex);
        frameRemaining -= n;
    }

    /** Takes the end of the peer's stream: TCP FIN or a reset. */
    public void receiveEof() {
        endOfStream = true;
    }

    /**
     * Decodes the next event from the bytes received so far, or returns null when more bytes
     * are needed or nothing more will come. Queues the protocol's own answers as it goes.
     */
    public Event nextEvent() {
        if (failed || closeReceived) {
            return null;
        }
        try {
            while (true) {
                if (frame == null && !startFrame()) {
                    return endOfStreamEvent();
                }
                if (!readPayload()) {
                    return endOfStreamEvent();
                }
                FrameHeader done = frame;
                frame = null;
                Event event = done.opcode().isControl()
                        ? controlFrame(done.opcode(), controlPayload)
                        : assembler.frameEnded(done.fin());
                if (event != null) {
                    compactInbound();
                    return event;
                }
            }
        } catch (ProtocolException e) {
            return fail(e.closeCode(), e.getMessage());
        }
    }

    private boolean startFrame() {
        FrameHeader header = decoder.decode(inbound);
        if (header == null) {
            return false;
        }
        if (header.opcode().isControl()) {
            controlPayload = new byte[(int) header.payloadLength()];
            controlFilled = 0;
        } else {
            assembler.frameStarted(header);
        }
        frame = header;
        frameRemaining = header.payloadLength();
        keyIndex = 0;
        return true;
    }

    /** Moves what has arrived of the current frame's payload on; true when it is all here. */
    private boolean readPayload() {
        int n = (int) Math.min(frameRemaining, inbound.remaining());
        if (n > 0) {
            byte[] array = inbound.array();
            int offset = inbound.arrayOffset() + inbound.position();
            if (frame.masked()) {
                keyIndex = Masking.apply(frame.maskingKey(), keyIndex, array, offset, n);
            }
            if (frame.opcode().isControl()) {
                System.arraycopy(array, offset, controlPayload, controlFilled, n);
                controlFilled += n;
            } else {
                assembler.payload(array, offset, n);
            }
            inbound.position(inbound.position() + n);
            frameRemaining -= n;
        }
        return frameRemaining == 0;
    }

    private Event controlFrame(Opcode opcode, byte[] payload) {
        return switch (opcode) {
            case PING -> {
                queuePong(payload);
                yield new Event.Ping(payload);
            }
            case PONG -> new Event.Pong(payload);
            case CLOSE -> {
                peerClose = ClosePayload.parse(payload);
                closeReceived = true;
                inbound = ByteBuffer.allocate(0);
                if (!closeSent) {
                    // RFC 6455 5.5.1: answer with a close frame, echoing the status code; an
                    // empty close (1005, which never goes on the wire) is answered with an empty one.
                    queueClose(peerClose.code() == CloseStatus.NO_STATUS_RECEIVED
                            ? ByteBuffer.allocate(0)
                            : ClosePayload.encode(peerClose.code(), ""));
                }
                yield new Event.CloseReceived(peerClose.code(), peerClose.reason());
            }
            default -> throw new IllegalStateException("not a control opcode: " + opcode);
        };
    }

    private Event endOfStreamEvent() {
        if (endOfStream && !endOfStreamReported) {
            endOfStreamReported = true;
            return new Event.EndOfStream();
        }
        return null;
    }

    /**
     * Fails the connection (RFC 6455 7.1.7): queues a close frame with the code unless one was
     * sent or the peer's stream has ended, and stops reading. The transport calls this for
     * failures of its own, such as a missing pong; the core calls it for protocol errors.
     */
    public Event.Failure fail(int code, String reason) {
        String cut = ClosePayload.truncate(reason);
        boolean wasClosed = state() == State.CLOSED;
        failed = true;
        inbound = ByteBuffer.allocate(0);
        // Once CLOSED (here: the peer's stream ended) the connection emits nothing more.
        if (!closeSent && !wasClosed) {
            queueClose(code, cut);
        }
        return new Event.Failure(code, cut);
    }

    /**
     * Whether a frame has begun and not ended: part of its header or of its payload has been
     * received and decoded as far as it goes. The core reads no clock, so a transport that
     * wants a frame completion deadline (row F4) asks this after handling the events.
     */
    public boolean isFrameIncomplete() {
        return frame != null || inbound.hasRemaining();
    }

    /**
     * Whether a data message has begun and its final frame has not ended, for a message
     * completion deadline that a slow drip of fragments cannot defeat (rows D3, F4).
     */
    public boolean isMessageIncomplete() {
        return assembler.inMessage();
    }

    /**
     * The bytes held for the message being assembled (after decompression), 0 between
     * messages: what a transport charges against a budget shared by many connections (row H5).
     */
    public long incompleteMessageSize() {
        return assembler.inMessage() ? assembler.size() : 0;
    }

    private boolean isReadClosed() {
        return failed || closeReceived || endOfStream;
    }

    private void compactInbound() {
        if (!inbound.hasRemaining() && inbound.capacity() > 0) {
            inbound = ByteBuffer.allocate(0); // hold nothing between reads: idle memory (issue 8)
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * Queues a text message.
     *
     * @throws IllegalArgumentException when the text has an unpaired surrogate
     * @throws IllegalStateException when this end has sent its close frame (row E8), or the
     *     connection is {@link State#CLOSED} (the peer's stream ended without one)
     */
    public void sendText(String text, boolean allowCompression) {
        sendMessage(Opcode.TEXT, ByteBuffer.wrap(encodeText(text)), allowCompression);
    }

    /** Queues a binary message; the buffer's remaining bytes are the payload. */
    public void sendBinary(ByteBuffer data, boolean allowCompression) {
        sendMessage(Opcode.BINARY, data, allowCompression);
    }

    /**
     * Queues a whole message. A text payload must be UTF-8; {@link #encodeText} makes one.
     *
     * @param allowCompression false opts this message out of a negotiated compression
     *     extension (for secrets next to attacker-controlled data: CRIME/BREACH)
     * @throws IllegalArgumentException for a control opcode or text that is not UTF-8
     * @throws IllegalStateException when this end has sent its close frame (row E8), or the
     *     connection is {@link State#CLOSED} (the peer's stream ended without one)
     */
    public void sendMessage(Opcode opcode, ByteBuffer payload, boolean allowCompression) {
        sendMessage(opcode, payload, allowCompression, false);
    }

    /**
     * Queues a whole message as {@link #sendMessage} does, but keeps no reference to the
     * caller's payload: once this returns, the caller may change its buffer (row H6). A
     * server's large payload is otherwise queued by reference; here it is copied once, behind
     * its header, into the frame itself.
     */
    public void sendMessageCopy(Opcode opcode, ByteBuffer payload, boolean allowCompression) {
        sendMessage(opcode, payload, allowCompression, true);
    }

    private void sendMessage(Opcode opcode, ByteBuffer payload, boolean allowCompression, boolean copy) {
        if (opcode != Opcode.TEXT && opcode != Opcode.BINARY) {
            throw new IllegalArgumentException("a message is TEXT or BINARY, not " + opcode);
        }
        checkCanSend();
        int rsv = 0;
        if (extension != null) {
            Extension.Encoded encoded = extension.encode(payload, allowCompression);
            // A compressed payload is a fresh buffer already: nothing of the caller's is kept.
            copy &= encoded.payload() == payload;
            payload = encoded.payload();
            rsv = encoded.rsv();
        }
        if (copy && maskOnWrite) {
            Collections.addAll(outbound, FrameEncoder.encodeMaskedOnWrite(true, rsv, opcode, payload,
                    maskingKeys.next(), true));
        } else if (copy) {
            Integer key = maskingKeys == null ? null : maskingKeys.next();
            outbound.add(FrameEncoder.encodeCopy(true, rsv, opcode, payload, key));
        } else {
            queueFrame(true, rsv, opcode, payload);
        }
    }

    /**
     * Queues one frame of a message sent in fragments: the first with TEXT or BINARY, the
     * rest with CONTINUATION, the last with {@code fin}. No extension applies to fragments
     * sent this way. The caller keeps the sequence well formed.
     */
    public void sendFragment(Opcode opcode, ByteBuffer payload, boolean fin) {
        checkCanSend();
        if (opcode.isControl()) {
            throw new IllegalArgumentException("control frames are not fragments");
        }
        queueFrame(fin, 0, opcode, payload);
    }

    /** Queues a ping with at most 125 bytes of payload. */
    public void sendPing(ByteBuffer payload) {
        checkCanSend();
        queueFrame(true, 0, Opcode.PING, checkControl(payload));
    }

    /** Queues an unsolicited pong (RFC 6455 5.5.3: a unidirectional heartbeat). */
    public void sendPong(ByteBuffer payload) {
        checkCanSend();
        queueFrame(true, 0, Opcode.PONG, checkControl(payload));
    }

    /**
     * Starts the close handshake (RFC 6455 7.1.2) with a code and reason, checked as for any
     * close frame this end sends (row E5). Does nothing if this end has already sent one, or
     * once the connection is {@link State#CLOSED}: after the peer's stream has ended
     * (RFC 6455 7.1.4) there is no one to read a close frame.
     *
     * @throws IllegalArgumentException for a code that may not be sent (1005, 1006 and 1015
     *     among them), or a reason over 123 UTF-8 bytes or with an unpaired surrogate
     */
    public void close(int code, String reason) {
        ClosePayload.encode(code, reason); // refuse bad input even when the call is a no-op
        if (!closeSent && state() != State.CLOSED) {
            queueClose(code, reason);
        }
    }

    /**
     * Whether the transport should close TCP now: the server closes it first once the close
     * handshake is done (RFC 6455 7.1.1), either end once the connection has failed.
     */
    public boolean closeExpected() {
        return failed || endOfStream || (role == Role.SERVER && closeSent && closeReceived);
    }

    /** Takes the bytes queued for the peer, in order, and empties the queue. */
    public List<ByteBuffer> takeOutbound() {
        if (outbound.isEmpty()) {
            return Collections.emptyList();
        }
        List<ByteBuffer> out = new ArrayList<>(outbound);
        outbound.clear();
        queuedPong = -1;
        return out;
    }

    /**
     * How many more bytes permessage-deflate has inflated from what was read than the
     * compressed bytes it was given, over the connection's life so far. A byte rate that counts
     * wire bytes alone would let a peer send a small frame that inflates to a megabyte; a
     * transport charges this growth to the same rate (row H3).
     */
    public long inflationExcess() {
        return assembler.inflationExcess();
    }

    /**
     * The payload length in bytes (inflated, for a compressed message) of the last text or
     * binary message {@link #nextEvent} returned: what a transport counts without measuring a
     * text's UTF-8 again.
     */
    public int lastMessageSize() {
        return assembler.lastMessageSize();
    }

    /**
     * Where, in what {@link #takeOutbound} would return now, the pong that answers the latest
     * ping is; -1 when there is none. A transport that holds frames after taking them may drop
     * such a pong when a newer one comes before it is written, as this connection does with
     * its own (RFC 6455 5.5.3), so that a peer that pings and never reads holds one pong.
     */
    public int pongIndex() {
        return queuedPong;
    }

    /** Whether bytes are queued for the peer. */
    public boolean hasOutbound() {
        return !outbound.isEmpty();
    }

    /** Releases the extension's resources. Call once the connection is done; idempotent. */
    public void release() {
        if (extension != null) {
            extension.close();
        }
    }

    private void checkCanSend() {
        if (closeSent) {
            throw new IllegalStateException("the close frame has been sent; nothing more may be sent");
        }
        if (endOfStream) {
            throw new IllegalStateException("the peer's stream has ended; the connection is closed");
        }
    }

    private static ByteBuffer checkControl(ByteBuffer payload) {
        if (payload.remaining() > FrameHeader.MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("control frame payload over 125 bytes");
        }
        return payload;
    }

    private void queuePong(byte[] payload) {
        if (closeSent) {
            return;
        }
        // RFC 6455 5.5.3: when pongs are still waiting, answering only the latest ping is enough.
        // The waiting one is dropped and the new one goes last, not into its place, so that it
        // cannot overtake what the application queued before this ping's turn came.
        ByteBuffer[] frameBytes = encode(true, 0, Opcode.PONG, ByteBuffer.wrap(payload));
        if (queuedPong >= 0) {
            outbound.remove(queuedPong);
        }
        queuedPong = outbound.size();
        outbound.add(frameBytes[0]);
    }

    private void queueClose(int code, String reason) {
        queueClose(ClosePayload.encode(code, reason));
    }

    private void queueClose(ByteBuffer body) {
        queueFrame(true, 0, Opcode.CLOSE, body);
        closeSent = true;
    }

    private void queueFrame(boolean fin, int rsv, Opcode opcode, ByteBuffer payload) {
        Collections.addAll(outbound, encode(fin, rsv, opcode, payload));
    }

    private ByteBuffer[] encode(boolean fin, int rsv, Opcode opcode, ByteBuffer payload) {
        if (maskOnWrite) {
            return FrameEncoder.encodeMaskedOnWrite(fin, rsv, opcode, payload, maskingKeys.next(), false);
        }
        Integer key = maskingKeys == null ? null : maskingKeys.next();
        return FrameEncoder.encode(fin, rsv, opcode, payload, key);
    }

    /**
     * Encodes text as UTF-8 for {@link #sendMessage}.
     *
     * @throws IllegalArgumentException when the text has an unpaired surrogate, which has no
     *     UTF-8 form
     */
    public static byte[] encodeText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    // getBytes would send '?' in its place: refuse instead of changing the text.
                    throw new IllegalArgumentException("text has an unpaired surrogate at index " + i);
                }
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
