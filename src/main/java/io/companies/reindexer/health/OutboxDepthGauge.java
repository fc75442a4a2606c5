package io.companies.reindexer.health;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.state.OutcomeOutbox;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code reindex_outbox_depth{alias}}: the outcomes of the alias waiting in the outbox to be published, a number that
 * grows while Kafka is unreachable. Counted in the database, so every replica exports the same; refreshed off the
 * scrape, so a database outage never slows a scrape.
 */
@Startup
@ApplicationScoped
public class OutboxDepthGauge {

    @Inject
    ReindexConfig config;

    @Inject
    OutcomeOutbox outbox;

    @Inject
    MeterRegistry registry;

    private volatile double depth;

    @PostConstruct
    void registerGauge() {
        Gauge.builder("reindex.outbox.depth", this, gauge -> gauge.depth).tag("alias", config.alias())
                .description("Outcomes of the alias waiting in the outbox to be published").register(registry);
    }

    @Scheduled(every = "30s", concurrentExecution = ConcurrentExecution.SKIP)
    void refresh() {
        try {
            depth = outbox.depth(config.alias());
        } catch (RuntimeException e) {
            // The value stays the last one read.
            Log.debugf("The outbox depth of alias %s is not refreshed: %s", config.alias(), e.getMessage());
        }
    }
}
