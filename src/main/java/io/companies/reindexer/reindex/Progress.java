package io.companies.reindexer.reindex;

import java.time.Duration;

import io.quarkus.logging.Log;

/** Logs how far a run has come, at most once per interval, with its rate. */
final class Progress {

    private final String runId;
    private final String index;
    private final long intervalNanos;
    private final long started = System.nanoTime();
    private long lastReport = started;

    Progress(String runId, String index, Duration interval) {
        this.runId = runId;
        this.index = index;
        this.intervalNanos = interval.toNanos();
    }

    void report(long documents) {
        long now = System.nanoTime();
        if (now - lastReport >= intervalNanos) {
            lastReport = now;
            double seconds = (now - started) / 1e9;
            Log.infof("Run %s: %d documents indexed into %s in %.0f s (%.0f docs/s)", runId, documents, index, seconds,
                    documents / seconds);
        }
    }
}
