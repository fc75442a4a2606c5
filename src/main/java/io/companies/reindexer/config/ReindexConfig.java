package io.companies.reindexer.config;

import java.time.Duration;
import java.util.Optional;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

import io.quarkus.runtime.configuration.MemorySize;

import org.hibernate.validator.constraints.time.DurationMin;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the reindex service. The names of {@link #enabled()}, {@link #alias()}, {@link #retention()} and
 * {@link Swap#minRatio()} are a contract with other teams (see {@code shared/spec/events.md}): never rename them.
 */
@ConfigMapping(prefix = "reindex")
public interface ReindexConfig {

    /** This build's {@link #definitionVersion()}. */
    String DEFINITION_VERSION = "1";

    /**
     * The feature flag (the original {@code FEATURE_FLAG_ELASTICSEARCH_REBUILD_INDEX}): {@code false} answers every
     * request {@code SKIPPED} and touches no index. Default {@code true}.
     */
    @WithDefault("true")
    boolean enabled();

    /** The alias searchers read from, the only one this service manages. Default {@code companies}. */
    @WithDefault("companies")
    String alias();

    /**
     * The version of the index definition this build makes (settings, mappings, analysis, document mapper, code lists),
     * recorded next to its fingerprint in each new index's {@code _meta}: it only grows, so of two builds whose
     * fingerprints differ, the one with the higher version is the newer. Raised in {@link #DEFINITION_VERSION} with
     * every change of the definition in code ({@code BuildDefinitionTest} fails until it is); an operator who changes a
     * setting that changes the fingerprint ({@code reindex.index.shards}, {@code reindex.index.analyzer}) may raise it
     * too. Default {@value #DEFINITION_VERSION}.
     */
    @WithDefault(DEFINITION_VERSION)
    @Min(1)
    int definitionVersion();

    /**
     * Rebuild on change: at start and every {@link #pollInterval()}, when the alias points to an index built from an
     * older definition than this build's (another fingerprint and a lower {@link #definitionVersion()}, or none
     * recorded), the service requests a rebuild itself. {@code false} switches it off. Default {@code true}.
     */
    @WithDefault("true")
    boolean rebuildOnChange();

    /**
     * Scheduled rebuilds: a cron expression (Quartz syntax, seconds first, e.g. {@code 0 0 3 * * ?} every day at 03:00
     * in the JVM's time zone) on which the service requests a rebuild itself, one request per tick across all
     * instances. Unset by default: no scheduled rebuild.
     */
    Optional<String> schedule();

    /** How many old indices to keep after a swap, besides the new one. Default 0. */
    @WithDefault("0")
    @Min(0)
    int retention();

    /**
     * How often the service looks for waiting requests and unpublished outcomes besides when a request arrives: this
     * picks up the requests of an instance that died or was busy, and retries after a failure. Default 5 s.
     */
    @WithDefault("5s")
    @DurationMin(millis = 1)
    Duration pollInterval();

    /**
     * How long a run may go without indexing a document or changing stage before the liveness check reports the
     * service stuck. Default 10 minutes: longer than the bulk retries (about 2 minutes) and any single engine call.
     */
    @WithDefault("10m")
    @DurationMin(millis = 1)
    Duration stallTimeout();

    /**
     * How long a graceful shutdown (SIGTERM) waits for a running run to stop and record its outcome before the
     * service exits anyway; a setting, because the orchestrator's grace period (Kubernetes'
     * {@code terminationGracePeriodSeconds}) must exceed it, so the two are set together. Default 30 s.
     */
    @WithDefault("30s")
    @DurationMin(millis = 0)
    Duration shutdownWait();

    Index index();

    Swap swap();

    Bulk bulk();

    Source source();

    Slices slices();

    Topics topics();

    History history();

    interface Index {
        /** The custom analyzer defined in {@code index/company-analysis.json}. */
        String CUSTOM_ANALYZER = "normalize_american_english";

        /** Prefix of the index names, followed by 32 random characters. Default: the alias followed by {@code -}. */
        Optional<String> prefix();

        /** Primary shards of a new index. Default 1: a few hundred thousand companies fit one shard. */
        @WithDefault("1")
        @Min(1)
        int shards();

        /**
         * Replicas of a new index once it is filled (none while loading). Unset by default: one replica where the
         * cluster has a second data node to hold it, none on a single node ({@code index.auto_expand_replicas: 0-1}),
         * so that the defaults finish a run on any cluster. A number asks for exactly that many, and a run fails at
         * once when the cluster has too few data nodes to place them.
         */
        Optional<@Min(0) Integer> replicas();

        /**
         * Analyzer of the analysed text fields. Default {@code normalize_american_english}, defined by
         * {@code index/company-analysis.json}; any other value names a built-in analyzer (e.g. {@code standard} for
         * engines that lack the analysis-common module) and the custom analysis is left out.
         */
        @WithDefault(CUSTOM_ANALYZER)
        String analyzer();

        /**
         * How long a filled index may take to get every replica its settings ask for (health green) before the swap;
         * past it the run fails with the alias untouched. Default 5 minutes.
         */
        @WithDefault("5m")
        @DurationMin(millis = 1)
        Duration activeShardsTimeout();

        /**
         * Most time the engine may take for one refresh or flush of a filled index: on a large index these outlast the
         * client's socket timeout ({@code quarkus.elasticsearch.socket-timeout}), so they get their own. Default 10
         * minutes.
         */
        @WithDefault("10m")
        @DurationMin(millis = 1)
        Duration refreshTimeout();
    }

    interface Swap {
        /**
         * Least time between the alias swap and the deletion of the indices it retired when the engine did not confirm
         * that every node applied the swap (its answer was lost, or a repair finishes the run): searches and writes that
         * resolved the alias just before the swap finish on the old index meanwhile. After a confirmed swap the service
         * waits for exactly the searches and writes the engine was running, not for this. Default 5 s.
         */
        @WithDefault("5s")
        @DurationMin(millis = 0)
        Duration retireGrace();

        /**
         * Most time to wait for the searches and writes that were running at the swap, or that the engine still runs
         * on a retired index, before deleting it anyway. Default 60 s.
         */
        @WithDefault("60s")
        @DurationMin(millis = 1)
        Duration retireTimeout();

        /**
         * The shrink guard: the least share of the documents of the index the alias points to that a new index must
         * hold to be swapped in; below it the run fails before its swap, unless a request it serves says
         * {@code "force": true}. A first run (no alias yet) is never stopped; {@code 0} switches the guard off. From 0
         * to 1; default 0.5: a source that lost half its published companies is more likely wrong than right.
         */
        @WithDefault("0.5")
        @DecimalMin("0")
        @DecimalMax("1")
        double minRatio();
    }

    interface Bulk {
        /** Most documents in one {@code _bulk} request. Default 1000. */
        @WithDefault("1000")
        @Min(1)
        int maxDocuments();

        /**
         * Most bytes of NDJSON in one {@code _bulk} request. Default 5M (why: {@code dev/bench/README.md}). At most 100
         * MiB, the engines' default {@code http.max_content_length}, above which they refuse a request; each batch's
         * buffer is allocated at this size.
         */
        @WithDefault("5M")
        @BytesRange(min = 1, max = 100 * 1024 * 1024)
        MemorySize maxBytes();

        /**
         * Bulk requests in flight at once. Default 3: on a 2-core engine, two keep both cores busy and the third,
         * queued in the engine, covers the moments the service spends reading the next page.
         */
        @WithDefault("3")
        @Min(1)
        int concurrency();

        /**
         * How many times an engine call that got no clear answer (a lost connection, a 429, a 5xx) is sent again,
         * bulk requests aside. Default 8.
         */
        @WithDefault("8")
        @Min(0)
        int maxRetries();

        /**
         * How long the items of a bulk request the engine could not take (429, 503, no clear answer) are sent again
         * while none of them gets through; as long as some do, the engine is only slow, and the run goes on at its
         * pace. Default 5 minutes: an engine that takes nothing for that long is down, not busy.
         */
        @WithDefault("5m")
        @DurationMin(millis = 1)
        Duration retryTimeout();

        /**
         * Wait before the first retry; doubled on every retry (up to 30 s for bulk items), each wait between half and
         * all of it. Default 500 ms.
         */
        @WithDefault("500ms")
        @DurationMin(millis = 1)
        Duration initialBackoff();
    }

    interface Source {
        /** Companies read per database round trip (one keyset page). Default 500. */
        @WithDefault("500")
        @Min(1)
        int pageSize();
    }

    interface Slices {
        /**
         * Most companies in one slice of a run: the unit every instance takes, redoes after a crash, and keeps the
         * fingerprints of (12 bytes a company). Default 50,000: about half a minute of loading here.
         */
        @WithDefault("50000")
        @Min(1)
        int size();

        /**
         * How long an instance's claim on a slice lasts unless renewed, which a thread of its own does every third of
         * it: a slice whose instance died is taken by another once this has passed. Default 30 s.
         */
        @WithDefault("30s")
        @DurationMin(seconds = 1)
        Duration lease();

        /**
         * Slices this instance works on at once. Default 1: each already keeps {@code bulk.concurrency} requests busy. 0:
         * it loads none and only leads runs, whose slices other instances load.
         */
        @WithDefault("1")
        @Min(0)
        int workers();

        /**
         * Oldest run that is resumed after it was interrupted before its swap; an older one is FAILED, and the requests
         * it served must be sent again: their requesters wait for a fresh index, not for one built from day-old reads.
         * Default 24 hours.
         */
        @WithDefault("24h")
        @DurationMin(millis = 1)
        Duration resumeWithin();
    }

    interface Topics {
        /** Topic of the requests (consumed). Default {@code reindex-requested}. */
        @WithDefault("reindex-requested")
        String requested();

        /** Topic of the outcomes (produced). Default {@code reindex-completed}. */
        @WithDefault("reindex-completed")
        String completed();

        /** Topic where malformed requests are set aside. Default {@code reindex-requested-dlq}. */
        @WithDefault("reindex-requested-dlq")
        String deadLetter();
    }

    interface History {
        /**
         * How long runs, and the requests they served, stay recorded after they ended; requests answered without a run
         * stay as long after they arrived. Older ones are deleted, except the latest {@link #keepLatest()} runs. Default
         * 90 days.
         */
        @WithDefault("90d")
        @DurationMin(millis = 1)
        Duration retention();

        /** How many of the latest runs are kept whatever their age. Default 20. */
        @WithDefault("20")
        @Min(0)
        int keepLatest();

        /** How often the history is pruned, besides at start. Default 1 hour. */
        @WithDefault("1h")
        @DurationMin(millis = 1)
        Duration pruneInterval();
    }

    default String indexPrefix() {
        return index().prefix().orElse(alias() + "-");
    }
}
