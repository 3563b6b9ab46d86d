/** The duplex command: serve, and (later) connect and trace. */
module dev.duplex.cli {
    requires dev.duplex;
}
