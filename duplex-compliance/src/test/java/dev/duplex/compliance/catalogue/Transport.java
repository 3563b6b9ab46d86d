package dev.duplex.compliance.catalogue;

/** How a catalogue row reaches the server: plain TCP ({@code ws://}) or TLS ({@code wss://}). */
public enum Transport {
    WS, WSS;

    @Override
    public String toString() {
        return name().toLowerCase();
    }
}
