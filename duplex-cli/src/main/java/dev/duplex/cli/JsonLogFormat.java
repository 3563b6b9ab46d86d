package dev.duplex.cli;

import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code duplex serve --log-format json}: every log line as one JSON object, for a log
 * shipper to read without parsing prose: {@code time}, {@code level}, {@code logger},
 * {@code message} and, when there was one, {@code error}. The library logs through
 * {@code System.Logger}, which the JDK sends to {@code java.util.logging} when nothing else is
 * installed; this replaces the formatter of the root logger's handlers. What the lines say is
 * what the library says: addresses, codes and reasons, never a payload, a ticket or a token.
 */
final class JsonLogFormat extends Formatter {

    private JsonLogFormat() {}

    /** Makes every handler of the root logger write JSON lines. */
    static void install() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFormatter(new JsonLogFormat());
        }
    }

    @Override
    public String format(LogRecord record) {
        JsonWriter line = JsonWriter.object()
                .string("time", Instant.ofEpochMilli(record.getMillis()).toString())
                .string("level", record.getLevel().getName())
                .string("logger", record.getLoggerName() == null ? "" : record.getLoggerName())
                .string("message", formatMessage(record));
        if (record.getThrown() != null) {
            line.string("error", String.valueOf(record.getThrown()));
        }
        return line + System.lineSeparator();
    }
}
