package dev.duplex.compliance.catalogue;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Puts rows that are not run against a server into the report: a test aborted through
 * {@link #notAServerRow} (a client row, with the tests that cover it) shows as N/A with its
 * reason, a disabled one as DISABLED with the API it waits for. {@link CatalogueServers} does
 * the same for the classes that have servers.
 */
final class RowWatcher implements TestWatcher, AfterAllCallback {

    /** Ends the calling test as not applicable to a server, saying where the row is covered. */
    static void notAServerRow(String why) {
        Assumptions.abort(why);
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, "DISABLED", reason.orElse(""));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "N/A", cause.getMessage());
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "PASS", "");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "FAIL", String.valueOf(cause.getMessage()));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        CatalogueReport.write();
    }

    static void record(ExtensionContext context, String result, String detail) {
        String test = context.getRequiredTestMethod().getName();
        String row = test.contains("_") ? test.substring(0, test.indexOf('_')) : test;
        CatalogueReport.add(new CatalogueReport.Entry(row, test, "all", result, detail == null ? "" : detail));
    }
}
