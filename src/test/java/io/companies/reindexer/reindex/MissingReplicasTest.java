package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

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

/**
 * An index is made durable before it goes live, with every replica asked for: with one replica per shard asked for
 * and a single engine node, which can never hold it, the run fails at once, naming the setting, with the alias
 * untouched and no index created, instead of loading and then waiting for a replica that cannot be placed.
 */
@QuarkusTest
@TestProfile(MissingReplicasTest.OneReplicaOnOneNode.class)
class MissingReplicasTest {

    /** Its own profile: the replicas and the wait are read at start-up, as in production. */
    public static class OneReplicaOnOneNode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reindex.index.replicas", "1");
        }
    }

    @Inject
    ServiceTopics topics;

    @Inject
    RestClient engineClient;

    @Inject
    DataSource dataSource;

    @Test
    void aReplicaTheClusterCannotPlaceFailsTheRunAtOnce() throws Exception {
        SearchIndices search = new SearchIndices(engineClient);
        SourceRows rows = new SourceRows(dataSource);
        rows.reset();
        rows.generate(300, 0.44);
        List<String> aliasBefore = search.aliasTargets("companies");
        List<String> indicesBefore = search.indices("companies-*");
        String requestId = UUID.randomUUID().toString();

        JsonNode outcome = topics.request(requestId, "{\"requestId\":\"" + requestId + "\"}");

        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("FAILED");
        assertThat(outcome.get("error").asText()).contains("reindex.index.replicas=1 asks for 2 copies of every shard",
                "the cluster has 1 data node(s)", "REINDEX_INDEX_REPLICAS to at most 0");
        assertThat(outcome.get("index").isNull()).as("no index created: %s", outcome).isTrue();
        assertThat(outcome.get("durationMs").asLong()).isLessThan(3_000L);
        assertThat(search.aliasTargets("companies")).isEqualTo(aliasBefore);
        assertThat(search.indices("companies-*")).isEqualTo(indicesBefore);
    }
}
