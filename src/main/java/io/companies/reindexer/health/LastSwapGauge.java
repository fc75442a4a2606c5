package io.companies.reindexer.health;

import java.time.Instant;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.state.RunHistory;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code reindex_alias_last_swap_seconds{alias}}: when the last completed run of the alias ended (its swap just
 * before), in seconds since the epoch, 0 while none is recorded. Read from the run history, so every replica exports
 * the same value and a restart keeps it; refreshed off the scrape, so a database outage never slows a scrape.
 */
@Startup
@ApplicationScoped
public class LastSwapGauge {

    @Inject
    ReindexConfig config;

    @Inject
    RunHistory history;

    @Inject
    MeterRegistry registry;

    private volatile double lastSwap;

    @PostConstruct
    void registerGauge() {
        Gauge.builder("reindex.alias.last.swap", this, gauge -> gauge.lastSwap).tag("alias", config.alias())
                .description("When the last completed run of the alias ended, in seconds since the epoch; 0 if none")
                .baseUnit("seconds").register(registry);
    }

    @Scheduled(every = "30s", concurrentExecution = ConcurrentExecution.SKIP)
    void refresh() {
        try {
            lastSwap = history.lastCompleted(config.alias()).map(Instant::getEpochSecond).orElse(0L);
        } catch (RuntimeException e) {
            // The value stays the last one read.
            Log.debugf("The time of the last swap of alias %s is not refreshed: %s", config.alias(), e.getMessage());
        }
    }
}
