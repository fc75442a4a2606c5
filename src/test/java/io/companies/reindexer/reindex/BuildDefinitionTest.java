package io.companies.reindexer.reindex;

import static io.companies.reindexer.config.ReindexConfig.Index.CUSTOM_ANALYZER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.DefinitionStamp;
import io.companies.reindexer.index.IndexDefinition;
import io.companies.reindexer.source.CodeLists;
import io.companies.reindexer.source.DocumentMapper;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code reindex.definition-version} grows with the definition: the fingerprint of the definition the default settings
 * make is pinned with the version, so that a change of the mappings, the analysis, the document mapper or a code list
 * fails here until the version is raised with it.
 */
class BuildDefinitionTest {

    /** The default definition (one shard, the custom analyzer) as of its latest version. */
    private static final DefinitionStamp PINNED = new DefinitionStamp("6d26b079c2e30bd1dcc5cb630656e2b6", 1);

    @Test
    void theDefinitionChangesOnlyWithAHigherVersion() {
        String fingerprint = BuildDefinition.fingerprint(
                new IndexDefinition(new ObjectMapper(), 1, Optional.empty(), CUSTOM_ANALYZER),
                new DocumentMapper(new CodeLists()).definition());
        DefinitionStamp now = new DefinitionStamp(fingerprint, Integer.parseInt(ReindexConfig.DEFINITION_VERSION));

        assertThat(now).as("The index definition or its version changed: a new fingerprint needs"
                + " ReindexConfig.DEFINITION_VERSION above %d; then pin both here", PINNED.version()).isEqualTo(PINNED);
    }
}
