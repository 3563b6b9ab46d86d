package dev.duplex.protocol.handshake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The header fields of an HTTP head: an immutable, ordered multimap whose names compare
 * case-insensitively (RFC 9110 5.1). Iteration yields the fields in the order they were added,
 * with the names spelled as they were added.
 *
 * <p>Names must be tokens (RFC 9110 5.1, so they are always US-ASCII) and values field content
 * (RFC 9110 5.5: visible ASCII, space, tab and obs-text up to U+00FF, the head being ISO-8859-1
 * on the wire). Leading and trailing whitespace of a value is not part of it and is trimmed.
 * Anything else, CR and LF above all, is refused with {@link IllegalArgumentException}, so a
 * {@code Headers} can always be written out without splitting the head.
 *
 * <p>{@link #toString()} lists the field names only: values may hold cookies or tokens, which
 * must not reach a log line by accident. Instances are immutable and safe to share.
 */
public final class Headers implements Iterable<Headers.Field> {
    private static final Headers EMPTY = new Headers(List.of());

    private final List<Field> fields;
    /** Lower-cased name to the values in order, so that lookups do not scan the whole list. */
    private final Map<String, List<String>> byName;

    private Headers(List<Field> fields) {
        this.fields = fields;
        Map<String, List<String>> index = new HashMap<>();
        for (Field f : fields) {
            index.computeIfAbsent(key(f.name()), k -> new ArrayList<>(1)).add(f.value());
        }
        index.replaceAll((k, v) -> Collections.unmodifiableList(v));
        this.byName = index;
    }

    /** No header fields. */
    public static Headers empty() {
        return EMPTY;
    }

    /** A builder with no fields yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts with these fields, to add more. */
    public Builder toBuilder() {
        return new Builder().addAll(this);
    }

    /** Every value of the named field, in order; empty when absent. */
    public List<String> all(String name) {
        return byName.getOrDefault(key(name), List.of());
    }

    /** The first value of the named field. */
    public Optional<String> first(String name) {
        List<String> values = all(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** How many times the named field occurs. */
    public int count(String name) {
        return all(name).size();
    }

    /** Whether the named field occurs at least once. */
    public boolean contains(String name) {
        return byName.containsKey(key(name));
    }

    /** The number of fields, repeats included. */
    public int size() {
        return fields.size();
    }

    /** Whether there are no fields. */
    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The fields in order, as an unmodifiable list. */
    public List<Field> fields() {
        return fields;
    }

    @Override
    public Iterator<Field> iterator() {
        return fields.iterator();
    }

    /** Equal when both hold the same fields, names compared case-insensitively, in order. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Headers other) || other.fields.size() != fields.size()) return false;
        for (int i = 0; i < fields.size(); i++) {
            Field a = fields.get(i);
            Field b = other.fields.get(i);
            if (!a.name().equalsIgnoreCase(b.name()) || !a.value().equals(b.value())) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Field f : fields) h = 31 * h + key(f.name()).hashCode() * 17 + f.value().hashCode();
        return h;
    }

    /** The field names only, never the values (they may be secrets). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers[");
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(fields.get(i).name());
        }
        return sb.append(']').toString();
    }

    private static String key(String name) {
        // Names are tokens, hence ASCII: ROOT lower-casing cannot map two names together.
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * One header field. The name is a token; the value is trimmed field content.
     *
     * @param name the field name, as spelled by whoever added it
     * @param value the field value without surrounding whitespace, possibly empty
     */
    public record Field(String name, String value) {
        /** @throws IllegalArgumentException if the name is not a token or the value not field content */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!HttpSyntax.isToken(name)) {
                throw new IllegalArgumentException("header name is not a token");
            }
            value = HttpSyntax.trimOws(value);
            if (!HttpSyntax.isFieldValue(value)) {
                throw new IllegalArgumentException("header value of " + name + " holds a forbidden character");
            }
        }

        /** The name and the value's length, not the value itself. */
        @Override
        public String toString() {
            return name + ": <" + value.length() + " chars>";
        }
    }

    /** Collects fields in order; not thread-safe. */
    public static final class Builder {
        private final List<Field> fields = new ArrayList<>();

        private Builder() {}

        /**
         * Appends a field, after any others of the same name.
         *
         * @throws IllegalArgumentException if the name is not a token or the value not field content
         */
        public Builder add(String name, String value) {
            fields.add(new Field(name, value));
            return this;
        }

        /** Appends every field of {@code headers}, in order. */
        public Builder addAll(Headers headers) {
            fields.addAll(headers.fields);
            return this;
        }

        /** Removes every field with this name (case-insensitively). */
        public Builder remove(String name) {
            fields.removeIf(f -> f.name().equalsIgnoreCase(name));
            return this;
        }

        /** The headers collected so far; the builder may be reused. */
        public Headers build() {
            return fields.isEmpty() ? EMPTY : new Headers(List.copyOf(fields));
        }
    }
}
