package io.companies.reindexer.reindex;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.state.RunLedger;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The run on this instance as it goes: its stage, documents indexed, the expected total, the rate, the ETA and when it
 * last moved, for the progress log, the metrics, the HTTP API and the liveness check; and where its time went, logged
 * at its end (the benchmark reads that line). Written by the run thread; recorded in the run's row every 2 s, so any
 * instance can show it.
 */
@ApplicationScoped
public class RunProgress {

    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    @Inject
    MeterRegistry registry;

    @Inject
    RunLedger ledger;

    /** A moment of a run. {@code expected} is 0 until the run has counted the companies to read. */
    public record Snapshot(long runId, List<String> requestIds, String index, String stage, Instant startedAt,
            long documents, long expected, double documentsPerSecond, Duration eta, Instant lastMovedAt) {

        /** From 0 to 1, the share of the expected documents indexed. */
        public double progress() {
            return expected == 0 ? 0 : Math.min(1.0, (double) documents / expected);
        }

        Snapshot moved(String stage, long documents, long expected, double rate, Duration eta) {
            return new Snapshot(runId, requestIds, index, stage, startedAt, documents, expected, rate, eta,
                    Instant.now());
        }
    }

    // Added to by the run thread and by this instance's slice workers.
    private final Map<String, Long> nanos = Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile Snapshot current;
    private long lastLog;
    private Snapshot recorded;
    private Counter documentsIndexed;
    private Counter swapsRefused;

    /** How a run can end, as the metrics count it: UNFINISHED is left for the repair to finish. */
    public static final List<String> ENDINGS = List.of("COMPLETED", "FAILED", "UNFINISHED");

    private final Map<String, Counter> runs = new HashMap<>();
    private final Map<String, Timer> durations = new HashMap<>();
    private LongTaskTimer active;
    private LongTaskTimer.Sample activeSample;

    /** Every series from the start, so that a fresh instance exports them before its first run. */
    @PostConstruct
    void registerMeters() {
        for (String status : ENDINGS) {
            runs.put(status, Counter.builder("reindex.runs").description("Runs ended, by status").tag("status", status)
                    .register(registry));
            durations.put(status, Timer.builder("reindex.run.duration").description("Duration of the runs, by status")
                    .tag("status", status).register(registry));
        }
        active = LongTaskTimer.builder("reindex.run.active").description("The run in progress on this instance")
                .register(registry);
        documentsIndexed = Counter.builder("reindex.documents.indexed")
                .description("Documents indexed by the load of runs").register(registry);
        swapsRefused = Counter.builder("reindex.swap.refused")
                .description("Swaps refused by the shrink guard (reindex.swap.min-ratio)").register(registry);
        registry.gauge("reindex.run.documents", this, progress -> progress.current().map(Snapshot::documents).orElse(0L));
        registry.gauge("reindex.run.progress", this, progress -> progress.current().map(Snapshot::progress).orElse(0.0));
    }

    /** The shrink guard refused the swap of the run. */
    void swapRefused() {
        swapsRefused.increment();
    }

    public Optional<Snapshot> current() {
        return Optional.ofNullable(current);
    }

    public void started(long runId, List<String> requestIds, String index) {
        Instant now = Instant.now();
        current = new Snapshot(runId, requestIds, index, "create", now, 0, 0, 0, null, now);
        nanos.clear();
        lastLog = System.nanoTime();
        activeSample = active.start();
    }

    /** The run entered {@code stage}; returns the time it did, to hand to {@link #time}. */
    long enter(String stage) {
        Snapshot run = current;
        current = run.moved(stage, run.documents(), run.expected(), run.documentsPerSecond(), run.eta());
        return System.nanoTime();
    }

    /** Adds the time since {@code startNanos} to {@code part} (a stage, or a part of one); returns now. */
    long time(String part, long startNanos) {
        long now = System.nanoTime();
        nanos.merge(part, now - startNanos, Long::sum);
        return now;
    }

    void expect(long documents) {
        Snapshot run = current;
        current = run.moved(run.stage(), run.documents(), documents, run.documentsPerSecond(), run.eta());
    }

    /**
     * The run did work that indexes no new document (a catch-up finished a slice, replicas recovered, a retired index
     * finished a search): it is moving, not stalled.
     */
    void worked() {
        Snapshot run = current;
        current = run.moved(run.stage(), run.documents(), run.expected(), run.documentsPerSecond(), run.eta());
    }

    /** The run has now indexed {@code documents} documents in all; logs at a steady interval. */
    void indexed(long documents) {
        Snapshot run = current;
        if (documents == run.documents()) {
            // Not a move: a run whose slices stop finishing must stall for the liveness check.
            return;
        }
        double seconds = Math.max(Duration.between(run.startedAt(), Instant.now()).toMillis() / 1000.0, 0.001);
        double rate = documents / seconds;
        Duration eta = rate > 0 && run.expected() > documents
                ? Duration.ofSeconds((long) ((run.expected() - documents) / rate))
                : Duration.ZERO;
        documentsIndexed.increment(Math.max(0, documents - run.documents()));
        current = run.moved(run.stage(), documents, run.expected(), rate, eta);
        if (System.nanoTime() - lastLog >= LOG_INTERVAL.toNanos()) {
            lastLog = System.nanoTime();
            Log.infof("Run %d: %d of %d documents indexed into %s in %.0f s (%.0f docs/s, %.0f %%, ETA %d s)",
                    run.runId(), documents, run.expected(), run.index(), seconds, rate, 100 * current.progress(),
                    eta.toSeconds());
        }
    }

    /**
     * Writes where the run stands into its row, so that every instance shows it; on a thread of its own, so the run
     * never waits for a view, and a database outage only delays the next tick.
     */
    @Scheduled(every = "2s", concurrentExecution = ConcurrentExecution.SKIP)
    void record() {
        Snapshot run = current;
        if (run == null || run == recorded) {
            return;
        }
        try {
            ledger.progress(run.runId(), run.stage(), run.documents(), run.expected(), run.documentsPerSecond(),
                    run.eta() == null ? 0 : run.eta().toSeconds());
            recorded = run;
        } catch (RuntimeException e) {
            Log.debugf("Run %d: progress not recorded: %s", run.runId(), e.getMessage());
        }
    }

    /** Where the run's time went so far, stage by stage. */
    String times() {
        synchronized (nanos) {
            return nanos.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue() / 1_000_000 + " ms")
                    .collect(Collectors.joining(", "));
        }
    }

    public void ended(String status) {
        Snapshot run = current;
        current = null;
        Duration duration = Duration.between(run.startedAt(), Instant.now());
        activeSample.stop();
        runs.get(status).increment();
        durations.get(status).record(duration.toNanos(), TimeUnit.NANOSECONDS);
    }
}
