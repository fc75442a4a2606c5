package io.companies.reindexer.reindex;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.coordination.DefinitionChangeTrigger;
import io.companies.reindexer.coordination.ScheduledRebuild;
import io.companies.reindexer.testing.FeatureFlagOff;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * With the feature flag off, every request is answered SKIPPED, those recorded before it was switched off included,
 * and no index is touched; the service requests no rebuild itself, neither with the alias on an index that records
 * no definition nor on a schedule.
 */
@QuarkusTest
@TestProfile(FeatureFlagOff.class)
class FeatureFlagOffTest {

    @Inject
    ServiceTopics topics;

    @Inject
    RestClient engineClient;

    @Inject
    DataSource dataSource;

    @Inject
    DefinitionChangeTrigger trigger;

    @Inject
    ScheduledRebuild schedule;

    private final ObjectMapper json = new ObjectMapper();

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

    @Test
    void noRebuildIsRequestedForAnIndexOfAnotherDefinitionNorOnASchedule() throws Exception {
        SearchIndices search = new SearchIndices(engineClient);
        List<String> aliasBefore = search.aliasTargets("companies");
        String unstamped = "flag-off-" + UUID.randomUUID();
        engineClient.performRequest(new Request("PUT", "/" + unstamped));
        try (TopicWatcher outcomes = topics.watchOutcomes()) {
            moveAlias(aliasBefore, List.of(unstamped));

            assertThat(trigger.check()).isEmpty();
            assertThat(schedule.request(Instant.now())).as("nor on a schedule").isEmpty();
            assertThat(outcomes.drain(Duration.ofSeconds(3))).as("nor at the polls meanwhile").isEmpty();
            assertThat(search.aliasTargets("companies")).containsExactly(unstamped);
        } finally {
            moveAlias(List.of(unstamped), aliasBefore);
            search.deleteAll(unstamped);
        }
    }

    private void moveAlias(List<String> from, List<String> to) throws Exception {
        List<String> actions = new ArrayList<>();
        from.forEach(index -> actions.add("{\"remove\":{\"index\":\"" + index + "\",\"alias\":\"companies\"}}"));
        to.forEach(index -> actions.add("{\"add\":{\"index\":\"" + index + "\",\"alias\":\"companies\"}}"));
        Request request = new Request("POST", "/_aliases");
        request.setJsonEntity("{\"actions\":[" + String.join(",", actions) + "]}");
        engineClient.performRequest(request);
    }

    @Test
    void aRequestRecordedBeforeTheFlagWasSwitchedOffIsAnsweredSkipped() throws Exception {
        String requestId = UUID.randomUUID().toString();
        try (TopicWatcher outcomes = topics.watchOutcomes();
                Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        INSERT INTO reindexer.reindex_request (request_id, alias, received_at)
                        VALUES (?, 'companies', now())""")) {
            // As an instance with the flag on leaves it: accepted, not run yet.
            insert.setString(1, requestId);
            insert.executeUpdate();

            JsonNode outcome = json.readTree(outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT).value());
            assertThat(outcome.get("status").asText()).isEqualTo("SKIPPED");
        }
    }
}
