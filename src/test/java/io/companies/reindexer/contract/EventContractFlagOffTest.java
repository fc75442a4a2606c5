package io.companies.reindexer.contract;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.FeatureFlagOff;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The SKIPPED outcome (feature flag off) against the schemas; invalid values are still judged first (REJECTED). */
@QuarkusTest
@TestProfile(FeatureFlagOff.class)
class EventContractFlagOffTest {

    @Inject
    ServiceTopics topics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "reindex.topics.requested")
    String requestedTopic;

    @Test
    void skippedAndRejectedOutcomesMatchTheSchemas() {
        String skipped = UUID.randomUUID().toString();
        String rejected = UUID.randomUUID().toString();
        try (ContractRecords records = new ContractRecords(bootstrapServers, requestedTopic);
                TopicWatcher outcomes = topics.watchOutcomes()) {
            records.publish(skipped, "{\"requestId\": \"" + skipped + "\", \"requestedBy\": \"ops-console\"}");
            records.publish(rejected, "{\"requestId\": \"" + rejected + "\", \"requestedAt\": \"soon\"}");

            JsonNode skippedOutcome = records.checkOutcome(outcomes.await(r -> hasKey(r, skipped), RUN_TIMEOUT));
            assertThat(skippedOutcome.path("status").asText()).isEqualTo("SKIPPED");
            JsonNode rejectedOutcome = records.checkOutcome(outcomes.await(r -> hasKey(r, rejected), RUN_TIMEOUT));
            assertThat(rejectedOutcome.path("status").asText()).isEqualTo("REJECTED");
        }
    }
}
