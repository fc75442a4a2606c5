package io.companies.reindexer.coordination;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.contract.RequestIds;
import io.companies.reindexer.index.SearchEngine;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.ScheduledExecution;

/**
 * Scheduled rebuilds: on each tick of {@code reindex.schedule} (unset: never), requests a rebuild through
 * {@link RequestAdmission}, recorded and answered like any other request. Its id is derived from the tick's scheduled
 * time, the same on every instance, so that all of them together make one request per tick. Nothing with the feature
 * flag off or without an alias (the first run is requested by someone).
 */
@ApplicationScoped
public class ScheduledRebuild {

    public static final String REQUESTED_BY = "reindexer:schedule";

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    RequestAdmission admission;

    @Scheduled(cron = "${reindex.schedule:off}", concurrentExecution = ConcurrentExecution.SKIP)
    void tick(ScheduledExecution execution) {
        try {
            request(execution.getScheduledFireTime());
        } catch (IOException | RuntimeException e) {
            // The next tick is another request: this one is not made up later.
            Log.warnf("Scheduled rebuild of alias %s at %s not requested: %s", config.alias(),
                    execution.getScheduledFireTime(), e.getMessage());
        }
    }

    /**
     * Requests the rebuild of the tick scheduled at {@code tick}.
     *
     * @return the request of that tick, which this instance made or another had made already; empty when none is due
     */
    public Optional<ReindexRequested> request(Instant tick) throws IOException {
        if (!config.enabled() || engine.aliasTargets(config.alias()).isEmpty()) {
            return Optional.empty();
        }
        ReindexRequested request = requestOf(config.alias(), tick);
        if (admission.admitOwn(request, null)) {
            Log.infof("Scheduled rebuild of alias %s at %s: requested %s (%s)", request.alias(), request.requestedAt(),
                    request.requestId(), REQUESTED_BY);
        }
        return Optional.of(request);
    }

    /** The request of the tick scheduled at {@code tick}: its id the same on every instance, to the second. */
    static ReindexRequested requestOf(String alias, Instant tick) {
        String at = tick.truncatedTo(ChronoUnit.SECONDS).toString();
        return new ReindexRequested(RequestIds.ofCause(REQUESTED_BY + "/" + alias + "/" + at), alias, REQUESTED_BY, at,
                false);
    }
}
