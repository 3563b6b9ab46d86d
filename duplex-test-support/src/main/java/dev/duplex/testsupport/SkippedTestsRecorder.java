package dev.duplex.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Appends one line to {@code target/skipped-tests.txt} for every test or test class that did
 * not run: aborted by an assumption (a peer such as Chromium, Node ws or tshark is missing, or
 * the row does not apply) or disabled. A class whose {@code @BeforeAll} gives up shows in
 * Surefire's reports as zero tests, not as skipped; here it is one line for the class. Lines
 * are {@code class TAB test TAB reason}; {@code ./duplex test} deletes the files before the run
 * and prints them grouped by reason after it (scripts/skipped-summary.sh).
 *
 * <p>Registered through {@code META-INF/services}, so a module's tests use it by having this
 * module on their test class path.
 */
public final class SkippedTestsRecorder implements TestExecutionListener {
    private static final Path FILE = Path.of("target", "skipped-tests.txt");
    private static final ReentrantLock WRITING = new ReentrantLock();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        record(test, "disabled: " + reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private static void record(TestIdentifier test, String reason) {
        String className;
        String name;
        if (test.getSource().orElse(null) instanceof MethodSource method) {
            className = method.getClassName();
            name = test.getDisplayName();
        } else if (test.getSource().orElse(null) instanceof ClassSource type) {
            className = type.getClassName();
            name = "(every test in the class)";
        } else {
            return; // an engine or a dynamic container: its tests are reported one by one
        }
        String line = className + '\t' + oneLine(name) + '\t' + oneLine(reason == null ? "" : reason) + '\n';
        WRITING.lock();
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The summary is a convenience: losing a line must not fail or hide the tests' results.
            System.err.println("SkippedTestsRecorder: cannot write " + FILE.toAbsolutePath() + ": " + e);
        } finally {
            WRITING.unlock();
        }
    }

    private static String oneLine(String s) {
        return s.replace('\t', ' ').replace('\r', ' ').replace('\n', ' ').strip();
    }
}
