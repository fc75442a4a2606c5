package io.companies.examples.completed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Against the real Kafka: outcomes published on {@code reindex-completed} as the service publishes them (key the
 * request id, CloudEvents in {@code ce_*} headers, JSON value), one of them twice. The repeat is ignored.
 */
@QuarkusTest
class CompletedListenerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    HandledOutcomes outcomes;

    @Test
    void aRepeatedOutcomeIsHandledOnce() throws Exception {
        String completed = "listener-test-" + UUID.randomUUID();
        String rejected = "listener-test-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(outcome(completed, "COMPLETED")).get();
            producer.send(outcome(completed, "COMPLETED")).get(); // published again, as at least once allows
            producer.send(outcome(rejected, "REJECTED")).get();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<String> ours = List.of(completed, rejected);
            assertThat(outcomes.handled()).filteredOn(outcome -> ours.contains(outcome.requestId())).hasSize(2);
            assertThat(outcomes.repeats()).filteredOn(ours::contains).containsExactly(completed);
        });
        assertThat(outcomes.handled()).filteredOn(outcome -> outcome.requestId().equals(completed)).singleElement()
                .satisfies(outcome -> {
                    assertThat(outcome.status()).isEqualTo(Outcome.Status.COMPLETED);
                    assertThat(outcome.documents()).isEqualTo(152310L);
                    assertThat(outcome.completedAt()).hasToString("2026-11-24T10:00:31.870Z");
                });
        assertThat(outcomes.handled()).filteredOn(outcome -> outcome.requestId().equals(rejected)).singleElement()
                .extracting(Outcome::status).isEqualTo(Outcome.Status.REJECTED);
    }

    /** An outcome record as the service publishes it (README "Event contract"; the service's asyncapi.yaml). */
    private static ProducerRecord<String, String> outcome(String requestId, String status) {
        boolean completed = status.equals("COMPLETED");
        String value = """
                {"requestId": "%s", "status": "%s", "alias": "companies", "index": %s,
                 "previousIndices": [], "deletedIndices": [], "documents": %s,
                 "startedAt": "2026-11-24T10:00:01.120Z", "completedAt": "2026-11-24T10:00:31.870Z",
                 "durationMs": 30750, "error": %s, "aFieldFromTheFuture": true}"""
                .formatted(requestId, status, completed ? "\"companies-k3v9x0q2m1c8z7w4r5t6y2u8i0o1p3a5\"" : "null",
                        completed ? "152310" : "null", completed ? "null" : "\"Alias 'products' is not managed\"");
        ProducerRecord<String, String> record = new ProducerRecord<>("reindex-completed", requestId, value);
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", requestId + ":" + status);
        header(record, "ce_type", "io.companies.reindex.completed");
        header(record, "ce_source", "urn:companies-reindexer");
        header(record, "ce_subject", "companies");
        header(record, "ce_time", "2026-11-24T10:00:31.87Z");
        header(record, "content-type", "application/json");
        return record;
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private KafkaProducer<String, String> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(config);
    }
}
