/** The duplex command: serve (demo page, echo, chat), connect, trace and decode. */
module dev.duplex.cli {
    requires dev.duplex;
    requires java.logging; // --log-format json formats the JDK's log records (JsonLogFormat)
}
