package io.companies.reindexer.reindex;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.messaging.OutcomePublisher;
import io.companies.reindexer.messaging.ReindexCompleted;
import io.companies.reindexer.messaging.ReindexRequested;
import io.quarkus.logging.Log;

/**
 * Judges each request and runs the accepted ones, one run at a time, on its own thread: the Kafka consumer hands a
 * request over and moves on, so a run of many minutes never holds a record or the event loop. Requests that arrive
 * during a run wait and are all served by one follow-up run, each with its own outcome. A request id that already has
 * an outcome gets that outcome again and starts no run.
 */
@ApplicationScoped
public class ReindexCoordinator {

    @Inject
    ReindexConfig config;

    @Inject
    Reindexer reindexer;

    @Inject
    OutcomePublisher publisher;

    private final ExecutorService runner = Executors.newSingleThreadExecutor(task -> new Thread(task, "reindex-run"));
    private final Map<String, ReindexCompleted> outcomes = new ConcurrentHashMap<>();
    // Guarded by this: the requests waiting for a run, and the ids of those waiting or running.
    private final List<ReindexRequested> waiting = new ArrayList<>();
    private final Set<String> inProgress = new HashSet<>();
    private boolean draining;

    /** Judges a request in the order of the contract: invalid values, the feature flag, then duplicates. */
    public void submit(ReindexRequested request) {
        String alias = request.alias() == null ? config.alias() : request.alias();
        String rejection = rejectionOf(request, alias);
        if (rejection != null) {
            publish(ReindexCompleted.rejected(request.requestId(), alias, Instant.now(), rejection));
            return;
        }
        if (!config.enabled()) {
            publish(ReindexCompleted.skipped(request.requestId(), alias, Instant.now()));
            return;
        }
        ReindexCompleted earlier = outcomes.get(request.requestId());
        if (earlier != null) {
            Log.infof("Request %s already has an outcome: publishing it again, no new run", request.requestId());
            publish(earlier);
            return;
        }
        synchronized (this) {
            if (!inProgress.add(request.requestId())) {
                Log.infof("Request %s is already waiting or running: no new run", request.requestId());
                return;
            }
            waiting.add(request);
            if (!draining) {
                draining = true;
                runner.execute(this::drain);
            }
        }
    }

    private String rejectionOf(ReindexRequested request, String alias) {
        if (!alias.equals(config.alias())) {
            return "Alias '" + alias + "' is not managed by this service, which manages '" + config.alias() + "' only";
        }
        if (request.requestedAt() != null) {
            try {
                DateTimeFormatter.ISO_DATE_TIME.parse(request.requestedAt());
            } catch (DateTimeParseException e) {
                return "requestedAt '" + request.requestedAt() + "' is not an ISO-8601 date and time";
            }
        }
        return null;
    }

    private void drain() {
        while (true) {
            List<ReindexRequested> requests;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    draining = false;
                    return;
                }
                requests = List.copyOf(waiting);
                waiting.clear();
            }
            runFor(requests);
        }
    }

    private void runFor(List<ReindexRequested> requests) {
        String runId = requests.stream().map(ReindexRequested::requestId).collect(Collectors.joining(","));
        Instant startedAt = Instant.now();
        List<ReindexCompleted> results = new ArrayList<>();
        try {
            RunResult run = reindexer.run(runId);
            Instant completedAt = Instant.now();
            for (ReindexRequested request : requests) {
                results.add(ReindexCompleted.completed(request.requestId(), config.alias(), run.index(),
                        run.previousIndices(), run.deletedIndices(), run.documents(), startedAt, completedAt));
            }
        } catch (RuntimeException e) {
            Log.errorf(e, "Run %s failed", runId);
            String index = e instanceof ReindexException failure ? failure.index() : null;
            Instant completedAt = Instant.now();
            for (ReindexRequested request : requests) {
                results.add(ReindexCompleted.failed(request.requestId(), config.alias(), index, startedAt, completedAt,
                        e.getMessage()));
            }
        }
        for (ReindexCompleted outcome : results) {
            outcomes.put(outcome.requestId(), outcome);
            synchronized (this) {
                inProgress.remove(outcome.requestId());
            }
            publish(outcome);
        }
    }

    private void publish(ReindexCompleted outcome) {
        try {
            publisher.publish(outcome);
        } catch (RuntimeException e) {
            Log.errorf(e, "Request %s: the %s outcome could not be published", outcome.requestId(), outcome.status());
        }
    }

    /** Interrupts a running run, which then deletes its index and leaves the alias alone. */
    @PreDestroy
    void stop() throws InterruptedException {
        runner.shutdownNow();
        if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
            Log.warn("The reindex run did not stop within 30 s");
        }
    }
}
