package dev.duplex.cli;

import dev.duplex.TlsOptions;
import java.nio.file.Path;
import java.util.Set;

/**
 * The TLS options of {@code duplex serve}: {@code --tls-cert FILE --tls-key FILE} (PEM), or
 * {@code --tls-pkcs12 FILE} with {@code --tls-password PASS}. The password may come from the
 * environment variable {@value #PASSWORD_VARIABLE} instead, which other users of the machine
 * cannot read in the process list.
 */
final class ServeTls {
    static final Set<String> OPTIONS = Set.of("tls-cert", "tls-key", "tls-pkcs12", "tls-password");
    static final String PASSWORD_VARIABLE = "DUPLEX_TLS_PASSWORD";

    private ServeTls() {}

    /**
     * The TLS options the command line asks for, or null for plain ws.
     *
     * @throws Arguments.UsageException when the options do not fit together
     * @throws IllegalArgumentException or {@link java.io.UncheckedIOException} when a file
     *     cannot be used; the message says which and why
     */
    static TlsOptions fromArguments(Arguments args) {
        String cert = args.string("tls-cert", null);
        String key = args.string("tls-key", null);
        String pkcs12 = args.string("tls-pkcs12", null);
        String password = args.string("tls-password", null);
        if (pkcs12 != null) {
            if (cert != null || key != null) {
                throw new Arguments.UsageException("--tls-pkcs12 replaces --tls-cert and --tls-key; give one or the other");
            }
            if (password == null) {
                password = System.getenv(PASSWORD_VARIABLE);
            }
            if (password == null) {
                throw new Arguments.UsageException("--tls-pkcs12 needs --tls-password (or " + PASSWORD_VARIABLE + ")");
            }
            return TlsOptions.fromPkcs12(Path.of(pkcs12), password.toCharArray());
        }
        if (password != null) {
            throw new Arguments.UsageException("--tls-password goes with --tls-pkcs12; PEM keys must be unencrypted");
        }
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new Arguments.UsageException("--tls-cert and --tls-key go together");
        }
        return TlsOptions.fromPem(Path.of(cert), Path.of(key));
    }
}
