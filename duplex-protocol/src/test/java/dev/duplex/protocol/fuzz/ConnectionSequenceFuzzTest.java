package dev.duplex.protocol.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * A structure-aware target for {@link Connection}: the input is read as a program of steps,
 * each either a frame from the peer (well formed or broken in one chosen way: reserved bits,
 * reserved opcode, wrong masking, bad UTF-8, an oversized or fragmented control frame, a bad
 * close code, a continuation with nothing to continue, a compressed frame) fed whole or a byte
 * at a time, raw bytes, the end of the stream, or a call from this end (send a message or a
 * ping, close, fail as the transport does). After every step:
 * <ul>
 *   <li>no exception escaped, except {@link IllegalStateException} from a send, exactly when
 *       this end had already sent its close frame (row E8) or the connection was CLOSED;
 *   <li>the state only moves forward: OPEN, then CLOSING, then CLOSED;
 *   <li>once the connection is CLOSED and what it queued until then has been taken, it emits
 *       nothing more: no event and nothing from {@link Connection#takeOutbound};
 *   <li>no event follows a terminal one (a failure, the peer's close, the end of the stream).
 * </ul>
 *
 * <p>Input layout: flags (bit 0 client, bit 1 permessage-deflate), then steps: one byte picks
 * the step (low 5 bits) and whether its bytes go in one at a time (bit 7), and the steps that
 * need one take one more byte as their argument (a length, a code or a first header byte).
 */
class ConnectionSequenceFuzzTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Limits LIMITS = new Limits(1024, 8, false);
    private static final int MASK = 0x37fa213d;
    private static final int[] CLOSE_CODES = {1000, 1001, 1002, 1003, 1005, 1006, 1007, 1011, 1015, 1016, 999, 0,
            2999, 3000, 4999, 5000, 65535};
    private static final byte[] DEFLATED_HELLO = HexFormat.of().parseHex("f248cdc9c90700"); // RFC 7692 7.2.3.1
    static final int STEPS = 20;

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void connectionStateOnlyMovesForwardAndStaysQuietOnceClosed(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        Role role = (flags & 1) != 0 ? Role.CLIENT : Role.SERVER;
        boolean deflate = (flags & 2) != 0;
        // The peer masks exactly when this end is a server (RFC 6455 5.1).
        boolean peerMasks = role == Role.SERVER;
        Connection connection = new Connection(role, LIMITS, deflate
                ? PerMessageDeflate.of(role, new DeflateParameters(false, false, DeflateParameters.ABSENT,
                        DeflateParameters.ABSENT), PerMessageDeflate.Config.DEFAULTS)
                : null, RANDOM);
        List<String> trace = new ArrayList<>();
        try {
            Connection.State state = connection.state();
            assertEquals(Connection.State.OPEN, state);
            boolean quiet = false; // CLOSED and drained
            boolean terminal = false;
            FuzzInput program = new FuzzInput(input.rest());
            for (int step = 0; program.hasMore() && step < 200; step++) {
                int op = program.nextByte();
                boolean bytewise = (op & 0x80) != 0;
                int kind = (op & 0x1f) % STEPS;
                int arg = program.nextByte();
                String what = step(connection, kind, arg, bytewise, peerMasks);
                trace.add(what);

                List<String> events = new ArrayList<>();
                for (Event e = connection.nextEvent(); e != null; e = connection.nextEvent()) {
                    events.add(e.toString());
                    if (terminal) {
                        fail("an event after a terminal one: " + e + " after " + trace);
                    }
                    terminal = e instanceof Event.Failure || e instanceof Event.CloseReceived || e instanceof Event.EndOfStream;
                }
                List<ByteBuffer> out = connection.takeOutbound();
                Connection.State now = connection.state();
                if (quiet) {
                    assertTrue(events.isEmpty(), () -> "events after CLOSED: " + events + " after " + trace);
                    assertTrue(out.isEmpty(), () -> out.size() + " frames queued after CLOSED, after " + trace);
                }
                assertTrue(now.compareTo(state) >= 0, "state went back from " + state + " to " + now + " after " + trace);
                state = now;
                quiet = now == Connection.State.CLOSED;
            }
        } finally {
            connection.release();
        }
    }

    /** Runs one step; returns its name for the failure message. */
    private static String step(Connection connection, int kind, int arg, boolean bytewise, boolean peerMasks) {
        switch (kind) {
            case 0 -> feed(connection, frame(0x81, text(arg % 200), peerMasks), bytewise);
            case 1 -> feed(connection, frame((arg & 1) != 0 ? 0x82 : 0x02, new byte[arg % 200], peerMasks), bytewise);
            case 2 -> feed(connection, frame((arg & 1) != 0 ? 0x80 : 0x00, text(arg % 50), peerMasks), bytewise);
            case 3 -> feed(connection, frame(0x01, text(arg % 50), peerMasks), bytewise);
            case 4 -> feed(connection, frame(0x89, new byte[arg % 130], peerMasks), bytewise); // over 125: 1002
            case 5 -> feed(connection, frame(0x8A, new byte[arg % 126], peerMasks), bytewise);
            case 6 -> feed(connection, closeFrame(arg, peerMasks), bytewise);
            case 7 -> feed(connection, frame(0x88, new byte[] {3}, peerMasks), bytewise); // 1-byte close body
            case 8 -> feed(connection, frame(arg, text(3), peerMasks), bytewise); // any first byte: RSV, opcode, FIN
            case 9 -> feed(connection, frame(0x81, HexFormat.of().parseHex("cebae1bdb9cf83ceb5eda080"), peerMasks), bytewise);
            case 10 -> feed(connection, frame(0x81, text(5), !peerMasks), bytewise); // wrong masking
            case 11 -> feed(connection, frame(0x09, new byte[1], peerMasks), bytewise); // fragmented ping
            case 12 -> feed(connection, frame(0xC1, DEFLATED_HELLO, peerMasks), bytewise);
            case 13 -> feed(connection, new byte[] {(byte) arg}, false); // one raw byte
            case 14 -> connection.receiveEof();
            case 15 -> send(connection, () -> connection.sendText("x".repeat(arg), true));
            case 16 -> send(connection, () -> connection.sendBinary(ByteBuffer.allocate(arg), (arg & 1) != 0));
            case 17 -> send(connection, () -> connection.sendPing(ByteBuffer.allocate(arg % 126)));
            case 18 -> connection.close((arg & 1) != 0 ? 1000 : 3000 + arg, "bye");
            case 19 -> connection.fail(1011, "transport failure");
            default -> throw new AssertionError(kind);
        }
        return kind + "(" + arg + (bytewise ? ",bytewise" : "") + ")";
    }

    /**
     * A send: IllegalStateException exactly when the close frame has gone (row E8) or the
     * connection is CLOSED.
     */
    private static void send(Connection connection, Runnable send) {
        if (connection.isCloseSent() || connection.state() == Connection.State.CLOSED) {
            assertThrows(IllegalStateException.class, send::run, "a send after the close frame");
        } else {
            send.run();
        }
    }

    private static void feed(Connection connection, byte[] bytes, boolean bytewise) {
        if (bytewise) {
            for (byte b : bytes) {
                connection.receiveData(ByteBuffer.wrap(new byte[] {b}));
            }
        } else {
            connection.receiveData(ByteBuffer.wrap(bytes));
        }
    }

    private static byte[] closeFrame(int arg, boolean masked) {
        int code = CLOSE_CODES[arg % CLOSE_CODES.length];
        if (code == 1005) {
            return frame(0x88, new byte[0], masked);
        }
        byte[] reason = (arg & 0x80) != 0 ? new byte[] {(byte) 0xff} : "done".getBytes(UTF_8); // bad UTF-8: 1007
        byte[] body = new byte[2 + reason.length];
        body[0] = (byte) (code >> 8);
        body[1] = (byte) code;
        System.arraycopy(reason, 0, body, 2, reason.length);
        return frame(0x88, body, masked);
    }

    private static byte[] text(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /** One frame laid out by hand (RFC 6455 5.2), masked with RFC 6455 5.7's key if asked. */
    static byte[] frame(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            out.write(maskBit | 126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >> shift));
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(MASK >> shift);
            }
            for (int i = 0; i < body.length; i++) {
                body[i] ^= (byte) (MASK >> (24 - 8 * (i % 4)));
            }
        }
        out.writeBytes(body);
        return out.toByteArray();
    }
}
