/** The duplex command: serve (demo page, echo, chat), connect, trace and decode. */
module dev.duplex.cli {
    requires dev.duplex;
}
