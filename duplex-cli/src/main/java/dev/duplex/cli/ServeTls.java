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
    static final Set<String> OPTIONS = Set.of("tls-cert", "tls-key", "tls-pkcs12", "tls-password", "tls-client-ca",
            "tls-client-auth");
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
        TlsOptions.ClientAuth clientAuth = clientAuth(args);
        String clientCa = args.string("tls-client-ca", null);
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
            return withClientAuth(TlsOptions.builder().pkcs12(Path.of(pkcs12), password.toCharArray(), null),
                    clientAuth, clientCa).build();
        }
        if (password != null) {
            throw new Arguments.UsageException("--tls-password goes with --tls-pkcs12; PEM keys must be unencrypted");
        }
        if (cert == null && key == null) {
            if (clientCa != null || args.string("tls-client-auth", null) != null) {
                throw new Arguments.UsageException("--tls-client-ca needs TLS: give --tls-cert and --tls-key too");
            }
            return null;
        }
        if (cert == null || key == null) {
            throw new Arguments.UsageException("--tls-cert and --tls-key go together");
        }
        return withClientAuth(TlsOptions.builder().pem(Path.of(cert), Path.of(key)), clientAuth, clientCa).build();
    }

    /** {@code --tls-client-auth required|optional}; required when only the CA is given. */
    private static TlsOptions.ClientAuth clientAuth(Arguments args) {
        String mode = args.string("tls-client-auth", null);
        if (mode == null) {
            return args.string("tls-client-ca", null) == null ? TlsOptions.ClientAuth.NONE : TlsOptions.ClientAuth.REQUIRED;
        }
        if (args.string("tls-client-ca", null) == null) {
            throw new Arguments.UsageException("--tls-client-auth needs --tls-client-ca, the CAs to check certificates against");
        }
        return switch (mode) {
            case "required" -> TlsOptions.ClientAuth.REQUIRED;
            case "optional" -> TlsOptions.ClientAuth.OPTIONAL;
            default -> throw new Arguments.UsageException("--tls-client-auth is required or optional, not " + mode);
        };
    }

    private static TlsOptions.Builder withClientAuth(TlsOptions.Builder builder, TlsOptions.ClientAuth mode, String ca) {
        return mode == TlsOptions.ClientAuth.NONE ? builder : builder.clientAuth(mode, Path.of(ca));
    }
}
