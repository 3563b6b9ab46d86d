package dev.duplex.protocol.fuzz;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures what an object of the protocol core holds on to: the bytes of every array and
 * buffer reachable from it through Duplex objects, collections and arrays. It is how a fuzz
 * test checks that a peer's bytes can never make a connection buffer more than its limits
 * allow, without knowing the names of the fields that do the buffering.
 *
 * <p>JDK objects other than buffers, collections and strings (a {@code SecureRandom}, a zlib
 * {@code Inflater}) are not looked into; native zlib memory is checked elsewhere.
 */
final class ReachableBytes {
    /** The instance fields of reference type of a Duplex class and its Duplex superclasses. */
    private static final ClassValue<List<Field>> REFERENCE_FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && isOurs(c); c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers()) && !field.getType().isPrimitive()) {
                        field.setAccessible(true); // the tests run on the class path
                        fields.add(field);
                    }
                }
            }
            return List.copyOf(fields);
        }
    };

    private ReachableBytes() {}

    /** The bytes of the arrays, buffers and strings reachable from {@code root}. */
    static long of(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> pending = new ArrayDeque<>();
        pending.push(root);
        long total = 0;
        while (!pending.isEmpty()) {
            Object o = pending.pop();
            if (o == null || !seen.add(o)) {
                continue;
            }
            Class<?> type = o.getClass();
            if (type.isArray()) {
                if (type.getComponentType().isPrimitive()) {
                    total += (long) Array.getLength(o) * primitiveSize(type.getComponentType());
                } else {
                    for (Object element : (Object[]) o) {
                        push(pending, element);
                    }
                }
            } else if (o instanceof Buffer buffer) {
                total += buffer.capacity(); // a view's capacity, at least what it can reach
            } else if (o instanceof CharSequence text) {
                total += text.length();
            } else if (o instanceof Collection<?> collection) {
                collection.forEach(element -> push(pending, element));
            } else if (o instanceof Map<?, ?> map) {
                map.forEach((k, v) -> {
                    push(pending, k);
                    push(pending, v);
                });
            } else if (isOurs(type) && !(o instanceof Enum<?>)) {
                for (Field field : REFERENCE_FIELDS.get(type)) {
                    push(pending, read(field, o));
                }
            }
        }
        return total;
    }

    private static boolean isOurs(Class<?> type) {
        return type.getName().startsWith("dev.duplex.");
    }

    private static void push(Deque<Object> pending, Object o) {
        if (o != null) {
            pending.push(o);
        }
    }

    private static Object read(Field field, Object owner) {
        try {
            return field.get(owner);
        } catch (IllegalAccessException e) {
            throw new AssertionError("cannot read " + field, e);
        }
    }

    private static int primitiveSize(Class<?> type) {
        if (type == byte.class || type == boolean.class) return 1;
        if (type == char.class || type == short.class) return 2;
        if (type == int.class || type == float.class) return 4;
        return 8;
    }
}
