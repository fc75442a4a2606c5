package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
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

    @Inject
    ServiceTopics topics;

    @Inject
    RestClient engineClient;

    @Test
    void everyRequestIsSkippedAndNothingIsTouched() throws Exception {
        SearchIndices search = new SearchIndices(engineClient);
        List<String> aliasBefore = search.aliasTargets("companies");
        List<String> indicesBefore = search.indices("companies-*");
        String requestId = UUID.randomUUID().toString();

        JsonNode outcome = topics.request(requestId, "{\"requestId\":\"" + requestId + "\"}");

        assertThat(outcome.get("status").asText()).isEqualTo("SKIPPED");
        assertThat(outcome.get("index").isNull()).isTrue();
        assertThat(outcome.get("documents").isNull()).isTrue();
        assertThat(outcome.get("previousIndices")).isEmpty();
        assertThat(search.aliasTargets("companies")).isEqualTo(aliasBefore);
        assertThat(search.indices("companies-*")).isEqualTo(indicesBefore);
    }
}
