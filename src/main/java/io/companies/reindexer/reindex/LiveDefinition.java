package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.DefinitionStamp;
import io.companies.reindexer.index.IndexInfo;
import io.companies.reindexer.index.SearchEngine;

/**
 * Whether searchers read an index built from this build's definition: the {@link DefinitionStamp} that the index the
 * alias points to records in its {@code _meta}, beside this build's. Read from the engine at each call.
 */
@ApplicationScoped
public class LiveDefinition {

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    BuildDefinition build;

    /**
     * This build's definition and the live index's.
     *
     * @param index the index the alias points to; null when there is no alias
     * @param live the definition {@code index} records; null when there is no alias or it records none
     */
    public record Comparison(String alias, DefinitionStamp build, String index, DefinitionStamp live) {
        public boolean matches() {
            return live != null && live.fingerprint().equals(build.fingerprint());
        }
    }

    public Comparison compare() throws IOException {
        List<String> targets = engine.aliasTargets(config.alias());
        if (targets.isEmpty()) {
            return new Comparison(config.alias(), build.stamp(), null, null);
        }
        // A swap leaves the alias on one index; should someone have added it to others by hand, the newest is
        // reported.
        IndexInfo live = engine.indices(String.join(",", targets)).stream()
                .max(Comparator.comparingLong(IndexInfo::createdAt)).orElseThrow();
        return new Comparison(config.alias(), build.stamp(), live.name(), live.definition().orElse(null));
    }
}
