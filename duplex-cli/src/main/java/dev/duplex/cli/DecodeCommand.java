package dev.duplex.cli;

import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.frame.FrameFormatter;
import dev.duplex.protocol.inspect.Direction;
import dev.duplex.protocol.inspect.Dissection;
import dev.duplex.protocol.inspect.FrameDissector;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code duplex decode HEX...}: dissects frames given as hex, as {@code trace} shows them. With
 * no HEX arguments the hex is read from standard input. Exit status 0 when the bytes follow the
 * protocol, 1 when a violation was flagged or the input ends inside a frame.
 */
final class DecodeCommand {
    static final Set<String> OPTIONS = Set.of("from", "deflate!", "json!", "max-payload");

    /** Frames given by hand are short; 4 KiB shows them whole. */
    static final int DEFAULT_MAX_PAYLOAD = 4096;

    private DecodeCommand() {}

    static int run(Arguments args, InputStream in, PrintStream out) {
        byte[] bytes = parseHex(args.positional().isEmpty() ? List.of(readAll(in)) : args.positional());
        if (bytes.length == 0) {
            throw new Arguments.UsageException("needs frame bytes in hex, e.g. 81 85 37 fa 21 3d 7f 9f 4d 51 58");
        }
        Direction direction = direction(args.string("from", null), bytes);
        int maxPayload = (int) args.number("max-payload", DEFAULT_MAX_PAYLOAD, 0, Integer.MAX_VALUE - 8);
        // --deflate: as if permessage-deflate had been agreed with context takeover both ways.
        DeflateParameters deflate = args.flag("deflate") ? new DeflateParameters(false, false, 0, 0) : null;
        boolean json = args.flag("json");

        List<Dissection> found = new ArrayList<>();
        try (FrameDissector dissector = FrameDissector.create(direction, maxPayload, deflate)) {
            dissector.feed(ByteBuffer.wrap(bytes), found);
            dissector.endOfInput(found);
        }
        boolean clean = true;
        for (Dissection d : found) {
            out.print(json ? DissectionJson.of(d, null, 0) + "\n" : FrameFormatter.format("", d));
            clean &= d.violations().isEmpty() && d instanceof Dissection.Frame;
        }
        out.flush();
        return clean ? 0 : 1;
    }

    /** Who sent the bytes: as told, else guessed from the first frame's MASK bit (clients mask). */
    private static Direction direction(String from, byte[] bytes) {
        if (from == null) {
            boolean masked = bytes.length > 1 && (bytes[1] & 0x80) != 0;
            return masked ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
        }
        return switch (from.toLowerCase(Locale.ROOT)) {
            case "client" -> Direction.CLIENT_TO_SERVER;
            case "server" -> Direction.SERVER_TO_CLIENT;
            default -> throw new Arguments.UsageException("--from takes client or server, not '" + from + "'");
        };
    }

    /**
     * Hex in the spellings people paste: {@code 81 85}, {@code 8185}, {@code 0x81,0x85},
     * {@code 81:85}.
     */
    static byte[] parseHex(List<String> parts) {
        StringBuilder digits = new StringBuilder();
        for (String part : parts) {
            for (String token : part.split("[\\s,:]+")) {
                String t = token.startsWith("0x") || token.startsWith("0X") ? token.substring(2) : token;
                if (t.isEmpty()) {
                    continue;
                }
                if (t.length() == 1) {
                    t = "0" + t; // "0x8" or "8" alone is one byte
                }
                digits.append(t);
            }
        }
        if (digits.length() % 2 != 0) {
            throw new Arguments.UsageException("odd number of hex digits");
        }
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException("not hex: " + e.getMessage());
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
