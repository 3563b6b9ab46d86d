package dev.duplex.internal.transport;

/**
 * What every connection of one server shares: the budget for incomplete inbound messages (row
 * H5), the budget for queued outbound bytes (row H8), the throttle on the log lines its
 * peers cause (row H9), and where its counts go. A client has a share of its own, with no
 * budgets.
 */
record ServerWide(PartialMessageBudget partialMessages, OutboundBudget outbound, ThrottledLog log,
                  MetricsRecorder metrics) {

    /** For a client: nothing to share, so no budgets, and a log throttle of its own. */
    static ServerWide forClient(MetricsRecorder metrics) {
        return new ServerWide(PartialMessageBudget.UNLIMITED, OutboundBudget.UNLIMITED, new ThrottledLog(), metrics);
    }
}
