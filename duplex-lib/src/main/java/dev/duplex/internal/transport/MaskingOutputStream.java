package dev.duplex.internal.transport;

import dev.duplex.protocol.frame.OutboundMasker;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A client connection's socket output: every byte passes through an {@link OutboundMasker},
 * which masks each frame's payload (RFC 6455 5.3) into one reused buffer of
 * {@value #BUFFER_SIZE} bytes, written to the socket each time it fills. Memory for masking is
 * that buffer, whatever the size of the frames: a 16 MiB message costs no 16 MiB frame array.
 * The buffer is the size of the JDK client's write buffer; it is made at the first write.
 *
 * <p>Only the connection's writer calls it, one write at a time.
 */
final class MaskingOutputStream extends FilterOutputStream {
    static final int BUFFER_SIZE = 16 * 1024;

    private final OutboundMasker masker = new OutboundMasker();
    private byte[] buffer;

    MaskingOutputStream(OutputStream socket) {
        super(socket);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (buffer == null) {
            buffer = new byte[BUFFER_SIZE];
        }
        while (len > 0) {
            int n = masker.mask(b, off, len, buffer, 0, buffer.length);
            out.write(buffer, 0, n);
            off += n;
            len -= n;
        }
    }
}
