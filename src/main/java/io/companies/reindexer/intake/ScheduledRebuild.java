package io.companies.reindexer.intake;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.contract.RequestIds;
import io.companies.reindexer.coordination.RequestAdmission;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.state.RunLedgerException;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.quarkus.scheduler.ScheduledExecution;

/**
 * Requests a rebuild on {@code reindex.schedule} ({@code shared/spec/events.md}, "Guards and triggers"). Every instance
 * ticks; the request id is derived from the tick's scheduled time, the same on all of them, so the first to record it
 * makes the one request and the others find it made. Nothing is requested while the feature flag is off or before
 * the alias exists: the first run is still someone's decision.
 */
@ApplicationScoped
public class ScheduledRebuild {

    static final String REQUESTED_BY = "reindexer:schedule";

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    RequestAdmission admission;

    @Scheduled(identity = "reindex-schedule", cron = "${reindex.schedule:off}", concurrentExecution = ConcurrentExecution.SKIP)
    void tick(ScheduledExecution execution) {
        if (!config.enabled()) {
            return;
        }
        Instant tick = execution.getScheduledFireTime().truncatedTo(ChronoUnit.SECONDS);
        String alias = config.alias();
        try {
            if (engine.aliasTargets(alias).isEmpty()) {
                Log.infof("Scheduled rebuild of %s at %s: the alias does not exist yet, nothing requested", alias, tick);
                return;
            }
            ReindexRequested request = new ReindexRequested(RequestIds.ofCause("schedule/" + alias + "/" + tick),
                    alias, REQUESTED_BY, tick.toString(), false);
            if (admission.admitOwn(request)) {
                Log.infof("Scheduled rebuild of %s at %s: request %s recorded", alias, tick, request.requestId());
            }
        } catch (IOException | RunLedgerException e) {
            Log.warnf("Scheduled rebuild of %s at %s not requested: %s", alias, tick, e.getMessage());
        }
    }
}
