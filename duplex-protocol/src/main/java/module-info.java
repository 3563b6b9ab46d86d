/**
 * The sans-I/O WebSocket core: the opening handshake, the frame codec, masking, UTF-8
 * validation, fragmentation, the close handshake and extensions, as state machines over byte
 * buffers. Nothing here opens a socket, starts a thread or reads a clock on its own.
 */
module dev.duplex.protocol {
    exports dev.duplex.protocol;
    exports dev.duplex.protocol.frame;
    exports dev.duplex.protocol.handshake;
    exports dev.duplex.protocol.extension;
    exports dev.duplex.protocol.inspect;
}
