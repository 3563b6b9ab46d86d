package dev.duplex.compliance.api;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.WebSocketServer;
import dev.duplex.protocol.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API as a list of signatures, committed as {@code docs/api.txt}, so that a change to
 * it is a change someone meant: this test fails when the two differ, and shows how. After a
 * deliberate change, regenerate the file with
 * {@code ./mvnw -pl duplex-compliance -am verify -Dtest=ApiReportTest -Dsurefire.failIfNoSpecifiedTests=false -Dduplex.api.update=true}
 * and commit it with the change.
 *
 * <p>The API is every public or protected class, constructor, method and field in the packages
 * that the modules {@code dev.duplex.protocol} and {@code dev.duplex} export, read from their
 * module descriptors.
 */
class ApiReportTest {
    private static final Path REPORT = Path.of("..", "docs", "api.txt");

    @Test
    void thePublicApiIsTheOneCommitted() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("# The public API of dev.duplex.protocol and dev.duplex: see ApiReportTest.");
        lines.addAll(report(Connection.class));
        lines.addAll(report(WebSocketServer.class));
        String now = String.join("\n", lines) + "\n";
        if (Boolean.getBoolean("duplex.api.update")) {
            Files.writeString(REPORT, now, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.exists(REPORT), "no " + REPORT + ": generate it with -Dduplex.api.update=true");
        String committed = Files.readString(REPORT, StandardCharsets.UTF_8);
        if (!committed.equals(now)) {
            Set<String> before = new TreeSet<>(committed.lines().toList());
            Set<String> after = new TreeSet<>(now.lines().toList());
            String removed = before.stream().filter(l -> !after.contains(l)).map(l -> "- " + l).collect(Collectors.joining("\n"));
            String added = after.stream().filter(l -> !before.contains(l)).map(l -> "+ " + l).collect(Collectors.joining("\n"));
            fail("the public API changed; if that is meant, regenerate docs/api.txt (see ApiReportTest):\n"
                    + removed + (removed.isEmpty() || added.isEmpty() ? "" : "\n") + added);
        }
    }

    /** The signatures of the module that {@code anchor} belongs to, one per line, sorted. */
    private static List<String> report(Class<?> anchor) throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root);
        try {
            Path base = jar == null ? root : jar.getPath("/");
            ModuleDescriptor module;
            try (InputStream in = Files.newInputStream(base.resolve("module-info.class"))) {
                module = ModuleDescriptor.read(in);
            }
            Set<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                    .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
            TreeSet<String> lines = new TreeSet<>();
            for (String pkg : exported) {
                Path dir = base.resolve(pkg.replace('.', '/'));
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                        String name = pkg + "." + file.getFileName().toString().replace(".class", "");
                        if (name.endsWith("package-info")) {
                            continue;
                        }
                        Class<?> type = Class.forName(name, false, anchor.getClassLoader());
                        if (visible(type)) {
                            describe(type, lines);
                        }
                    }
                }
            }
            List<String> out = new ArrayList<>();
            out.add("");
            out.add("## module " + module.name());
            out.addAll(lines);
            return out;
        } finally {
            if (jar != null) {
                jar.close();
            }
        }
    }

    /** Public, or protected, and every enclosing class too. */
    private static boolean visible(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            int m = c.getModifiers();
            if (c.isAnonymousClass() || c.isLocalClass() || (!Modifier.isPublic(m) && !Modifier.isProtected(m))) {
                return false;
            }
        }
        return true;
    }

    private static void describe(Class<?> type, Set<String> lines) {
        String owner = type.getName();
        lines.add(owner + " :: " + type.toGenericString()
                + (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class
                        && !type.isEnum() && !type.isRecord() ? " extends " + type.getGenericSuperclass().getTypeName() : "")
                + interfaces(type));
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (exposed(c)) {
                lines.add(owner + " :: " + c.toGenericString());
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (exposed(m) && !m.isSynthetic() && !m.isBridge()) {
                lines.add(owner + " :: " + m.toGenericString());
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (exposed(f) && !f.isSynthetic()) {
                lines.add(owner + " :: " + f.toGenericString());
            }
        }
    }

    private static String interfaces(Class<?> type) {
        if (type.getGenericInterfaces().length == 0 || type.isAnnotation()) {
            return "";
        }
        return " implements " + Stream.of(type.getGenericInterfaces()).map(t -> t.getTypeName()).collect(Collectors.joining(", "));
    }

    private static boolean exposed(Member member) {
        int m = member.getModifiers();
        return Modifier.isPublic(m) || Modifier.isProtected(m);
    }
}
