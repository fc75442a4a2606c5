package io.companies.reindexer.health;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.state.RunHistory;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code reindex_alias_last_swap_seconds{alias}}: when the last completed run of the alias ended (its swap just
 * before), in seconds since the epoch, 0 while none is recorded. Read from the run history, so every replica exports
 * the same value and a restart keeps it; refreshed off the scrape, so a database outage never slows a scrape.
 */
@ApplicationScoped
public class LastSwapGauge {

    private static final Duration REFRESH = Duration.ofSeconds(30);

    @Inject
    ReindexConfig config;

    @Inject
    RunHistory history;

    @Inject
    MeterRegistry registry;

    private volatile double lastSwap;
    private ScheduledExecutorService refresher;

    void start(@Observes StartupEvent event) {
        Gauge.builder("reindex.alias.last.swap", this, gauge -> gauge.lastSwap).tag("alias", config.alias())
                .description("When the last completed run of the alias ended, in seconds since the epoch; 0 if none")
                .baseUnit("seconds").register(registry);
        refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("last-swap").daemon()
                .factory());
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        refresher.shutdownNow();
    }

    private void refresh() {
        try {
            lastSwap = history.lastCompleted(config.alias()).map(Instant::getEpochSecond).orElse(0L);
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again; the value stays the last one read.
            Log.debugf("The time of the last swap of alias %s is not refreshed: %s", config.alias(), e.getMessage());
        }
    }
}
