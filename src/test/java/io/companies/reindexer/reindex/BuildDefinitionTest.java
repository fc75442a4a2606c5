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

    private static final String DOCUMENTS = new DocumentMapper(new CodeLists()).definition();

    @Test
    void theDefinitionChangesOnlyWithAHigherVersion() {
        String fingerprint = BuildDefinition.fingerprint(index(1, CUSTOM_ANALYZER), DOCUMENTS);
        DefinitionStamp now = new DefinitionStamp(fingerprint, Integer.parseInt(ReindexConfig.DEFINITION_VERSION));

        assertThat(now).as("The index definition or its version changed: a new fingerprint needs"
                + " ReindexConfig.DEFINITION_VERSION above %d; then pin both here", PINNED.version()).isEqualTo(PINNED);
    }

    @Test
    void theFingerprintCoversEveryPartOfTheDefinition() {
        String pinned = BuildDefinition.fingerprint(index(1, CUSTOM_ANALYZER), DOCUMENTS);

        assertThat(DOCUMENTS).as("the code lists are part of it").contains("AEROSPACE=Aerospace\n");
        assertThat(BuildDefinition.fingerprint(index(1, CUSTOM_ANALYZER),
                DOCUMENTS.replace("AEROSPACE=Aerospace\n", "AEROSPACE=Aerospace and defence\n")))
                .as("one code-list label").isNotEqualTo(pinned);
        assertThat(DOCUMENTS).startsWith("document mapper 1\n");
        assertThat(BuildDefinition.fingerprint(index(1, CUSTOM_ANALYZER),
                DOCUMENTS.replace("document mapper 1\n", "document mapper 2\n")))
                .as("the document mapper's version").isNotEqualTo(pinned);
        assertThat(BuildDefinition.fingerprint(index(3, CUSTOM_ANALYZER), DOCUMENTS)).as("the shards")
                .isNotEqualTo(pinned);
        assertThat(BuildDefinition.fingerprint(index(1, "standard"), DOCUMENTS)).as("the analysis")
                .isNotEqualTo(pinned);
    }

    private static IndexDefinition index(int shards, String analyzer) {
        return new IndexDefinition(new ObjectMapper(), shards, Optional.empty(), analyzer);
    }
}
