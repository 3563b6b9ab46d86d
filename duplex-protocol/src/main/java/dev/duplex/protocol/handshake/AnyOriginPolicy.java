package dev.duplex.protocol.handshake;

/** {@link OriginPolicy#any()}: no origin check. */
enum AnyOriginPolicy implements OriginPolicy {
    INSTANCE;

    @Override
    public boolean allows(HttpRequest request) {
        return true;
    }

    @Override
    public String toString() {
        return "OriginPolicy[any]";
    }
}
