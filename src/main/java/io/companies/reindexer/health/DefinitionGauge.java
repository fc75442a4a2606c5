package io.companies.reindexer.health;

import java.io.IOException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.reindex.LiveDefinition;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code reindex_definition_current{alias}}: 1 when the index the alias points to records this build's definition
 * fingerprint in its {@code _meta}, 0 otherwise (no alias, an index built from another definition or recording none).
 * Read from the engine, refreshed off the scrape, so an engine outage never slows a scrape.
 */
@Startup
@ApplicationScoped
public class DefinitionGauge {

    @Inject
    ReindexConfig config;

    @Inject
    LiveDefinition live;

    @Inject
    MeterRegistry registry;

    private volatile double current;

    @PostConstruct
    void registerGauge() {
        Gauge.builder("reindex.definition.current", this, gauge -> gauge.current).tag("alias", config.alias())
                .description("1 when the index the alias points to was built from this build's definition, else 0")
                .register(registry);
    }

    @Scheduled(every = "30s", concurrentExecution = ConcurrentExecution.SKIP)
    void refresh() {
        try {
            current = live.compare().matches() ? 1 : 0;
        } catch (IOException | RuntimeException e) {
            // The value stays the last one read.
            Log.debugf("Whether alias %s is on an index of this build's definition is not refreshed: %s",
                    config.alias(), e.getMessage());
        }
    }
}
