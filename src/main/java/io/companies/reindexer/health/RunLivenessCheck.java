package io.companies.reindexer.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.coordination.RunLoop;
import io.companies.reindexer.coordination.SliceWorker;
import io.companies.reindexer.reindex.RunProgress;
import io.companies.reindexer.reindex.RunProgress.Snapshot;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the run thread and the slice workers are alive and the run this instance leads, if any, keeps moving: a
 * run of an hour is fine as long as its slices index documents or it changes stage. DOWN only when one of those
 * threads died or a run has not moved for
 * {@code reindex.stall-timeout}: then a restart, which repairs the run, is the cure.
 */
@Liveness
@ApplicationScoped
public class RunLivenessCheck implements HealthCheck {

    @Inject
    RunLoop runLoop;

    @Inject
    SliceWorker workers;

    @Inject
    RunProgress progress;

    @Inject
    ReindexConfig config;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("reindex run");
        if (!runLoop.isServing()) {
            return response.down().withData("reason", "the run thread has ended").build();
        }
        if (!workers.isWorking()) {
            return response.down().withData("reason", "a slice worker thread has ended").build();
        }
        Optional<Snapshot> run = progress.current();
        if (run.isEmpty()) {
            return response.up().withData("run", "none").build();
        }
        Duration still = Duration.between(run.get().lastMovedAt(), Instant.now());
        response.withData("run", run.get().runId()).withData("stage", run.get().stage())
                .withData("documents", run.get().documents()).withData("secondsSinceLastMove", still.toSeconds());
        return still.compareTo(config.stallTimeout()) > 0 ? response.down().build() : response.up().build();
    }
}
