package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The shrink guard with its default share, against the real services: after the source lost 60 % of its published
 * companies, a run fails before its swap, saying both counts and the setting, with the alias and the live index
 * untouched and its own index deleted; the same request with {@code "force": true} swaps.
 */
@QuarkusTest
@TestProfile(ShrinkGuardFlowTest.DefaultShare.class)
class ShrinkGuardFlowTest {

    private static final String ALIAS = "companies";

    /** The guard as deployed: the test profile switches it off for the other test classes, which share the alias. */
    public static class DefaultShare implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reindex.swap.min-ratio", "0.5");
        }
    }

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    @Inject
    MeterRegistry registry;

    @Test
    void aRunThatLostMostCompaniesIsRefusedAndSwapsWhenForced() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        SearchIndices search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(500, 0.53);
        // Forced: the alias may hold a larger index of another test class.
        JsonNode baseline = topics.completedRun("{\"force\":true}");
        String live = baseline.get("index").asText();
        long liveDocuments = search.count(ALIAS);
        assertThat(liveDocuments).isEqualTo(rows.publishedCompanies());

        rows.unpublish(Math.round(liveDocuments * 0.6));
        long left = rows.publishedCompanies();
        double refusedBefore = registry.get("reindex.swap.refused").counter().count();
        JsonNode refused = topics.requestWithNewId("{\"requestedBy\":\"test\"}");

        assertThat(refused.get("status").asText()).as(refused.toString()).isEqualTo("FAILED");
        assertThat(refused.get("error").asText()).contains("shrink guard").contains(left + " documents")
                .contains("the " + liveDocuments + " in " + live).contains("reindex.swap.min-ratio");
        assertThat(refused.get("documents").isNull()).isTrue();
        assertThat(search.aliasTargets(ALIAS)).containsExactly(live);
        assertThat(search.count(ALIAS)).isEqualTo(liveDocuments);
        String refusedIndex = refused.get("index").asText();
        assertThat(refusedIndex).isNotEqualTo(live);
        assertThat(search.exists(refusedIndex)).as("the refused index is deleted").isFalse();
        assertThat(registry.get("reindex.swap.refused").counter().count()).isEqualTo(refusedBefore + 1);

        JsonNode forced = topics.requestWithNewId("{\"requestedBy\":\"test\",\"force\":true}");

        assertThat(forced.get("status").asText()).as(forced.toString()).isEqualTo("COMPLETED");
        String index = forced.get("index").asText();
        assertThat(forced.get("previousIndices")).extracting(JsonNode::asText).containsExactly(live);
        assertThat(forced.get("documents").asLong()).isEqualTo(left);
        assertThat(search.aliasTargets(ALIAS)).containsExactly(index);
        assertThat(search.count(ALIAS)).isEqualTo(left);
        assertThat(registry.get("reindex.swap.refused").counter().count()).isEqualTo(refusedBefore + 1);
    }
}
