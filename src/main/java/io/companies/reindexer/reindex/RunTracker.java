package io.companies.reindexer.reindex;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;

/**
 * What the run on this instance is doing now, for the progress log, the metrics, the HTTP API and the liveness check:
 * documents indexed, the expected total, the rate, the ETA and when the run last moved.
 */
@ApplicationScoped
public class RunTracker {

    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    @Inject
    MeterRegistry registry;

    /** A moment of a run. {@code expected} is 0 until the run has counted the companies to read. */
    public record Snapshot(long runId, List<String> requestIds, String index, String stage, Instant startedAt,
            long documents, long expected, double documentsPerSecond, Duration eta, Instant lastMovedAt) {

        /** From 0 to 1, the share of the expected documents indexed. */
        public double progress() {
            return expected == 0 ? 0 : Math.min(1.0, (double) documents / expected);
        }
    }

    private volatile Snapshot current;
    private long lastLog;
    private Counter documentsIndexed;

    @PostConstruct
    void registerMeters() {
        documentsIndexed = Counter.builder("reindex.documents.indexed")
                .description("Documents indexed by the load of runs").register(registry);
        registry.gauge("reindex.run.documents", this, tracker -> tracker.current().map(Snapshot::documents).orElse(0L));
        registry.gauge("reindex.run.progress", this, tracker -> tracker.current().map(Snapshot::progress).orElse(0.0));
    }

    public Optional<Snapshot> current() {
        return Optional.ofNullable(current);
    }

    void started(long runId, List<String> requestIds, String index) {
        Instant now = Instant.now();
        current = new Snapshot(runId, requestIds, index, "create", now, 0, 0, 0, null, now);
        lastLog = System.nanoTime();
    }

    void stage(String stage) {
        Snapshot run = current;
        current = new Snapshot(run.runId(), run.requestIds(), run.index(), stage, run.startedAt(), run.documents(),
                run.expected(), run.documentsPerSecond(), run.eta(), Instant.now());
    }

    void expect(long documents) {
        Snapshot run = current;
        current = new Snapshot(run.runId(), run.requestIds(), run.index(), run.stage(), run.startedAt(),
                run.documents(), documents, run.documentsPerSecond(), run.eta(), Instant.now());
    }

    /** The run has now indexed {@code documents} documents in all; logs at a steady interval. */
    void indexed(long documents) {
        Snapshot run = current;
        Instant now = Instant.now();
        double seconds = Math.max(Duration.between(run.startedAt(), now).toMillis() / 1000.0, 0.001);
        double rate = documents / seconds;
        Duration eta = rate > 0 && run.expected() > documents
                ? Duration.ofSeconds((long) ((run.expected() - documents) / rate))
                : Duration.ZERO;
        documentsIndexed.increment(Math.max(0, documents - run.documents()));
        current = new Snapshot(run.runId(), run.requestIds(), run.index(), run.stage(), run.startedAt(), documents,
                run.expected(), rate, eta, now);
        if (System.nanoTime() - lastLog >= LOG_INTERVAL.toNanos()) {
            lastLog = System.nanoTime();
            Log.infof("Run %d: %d of %d documents indexed into %s in %.0f s (%.0f docs/s, %.0f %%, ETA %d s)",
                    run.runId(), documents, run.expected(), run.index(), seconds, rate, 100 * current.progress(),
                    eta.toSeconds());
        }
    }

    void ended(String status) {
        Snapshot run = current;
        current = null;
        Duration duration = Duration.between(run.startedAt(), Instant.now());
        Counter.builder("reindex.runs").description("Runs ended, by status").tag("status", status).register(registry)
                .increment();
        Timer.builder("reindex.run.duration").description("Duration of the runs, by status").tag("status", status)
                .register(registry).record(duration.toNanos(), TimeUnit.NANOSECONDS);
    }
}
