package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.TopicWatcher;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With the feature flag off, every request is answered SKIPPED and no index is touched. */
@QuarkusTest
@TestProfile(FeatureFlagOffTest.FlagOff.class)
class FeatureFlagOffTest {

    /** Its own profile because the flag is read at start-up, as in production. */
    public static class FlagOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reindex.enabled", "false");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "reindex.topics.requested")
    String requestedTopic;

    @ConfigProperty(name = "reindex.topics.completed")
    String completedTopic;

    @Inject
    RestClient engineClient;

    @Test
    void everyRequestIsSkippedAndNothingIsTouched() throws Exception {
        SearchIndices search = new SearchIndices(engineClient);
        List<String> aliasBefore = search.aliasTargets("companies");
        List<String> indicesBefore = search.indices("companies-*");
        String requestId = UUID.randomUUID().toString();

        JsonNode outcome;
        try (TopicWatcher outcomes = new TopicWatcher(bootstrapServers, completedTopic);
                Requests requests = new Requests(bootstrapServers, requestedTopic)) {
            requests.send(requestId, "{\"requestId\":\"" + requestId + "\"}");
            outcome = new ObjectMapper().readTree(outcomes.await(record -> record.key() != null
                    && new String(record.key(), StandardCharsets.UTF_8).equals(requestId), Duration.ofMinutes(1)).value());
        }

        assertThat(outcome.get("status").asText()).isEqualTo("SKIPPED");
        assertThat(outcome.get("index").isNull()).isTrue();
        assertThat(outcome.get("documents").isNull()).isTrue();
        assertThat(outcome.get("previousIndices")).isEmpty();
        assertThat(search.aliasTargets("companies")).isEqualTo(aliasBefore);
        assertThat(search.indices("companies-*")).isEqualTo(indicesBefore);
    }
}
