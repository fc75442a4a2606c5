package io.companies.reindexer.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import io.companies.reindexer.testing.Requests;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the contract tests do with real records: publish a raw value and learn where it went (a request without
 * {@code requestId} is known by its place), and check an outcome record against the schemas and against itself.
 */
final class ContractRecords implements AutoCloseable {

    private final Requests requests;
    private final EventSchemas schemas = new EventSchemas();

    ContractRecords(String bootstrapServers, String topic) {
        this.requests = new Requests(bootstrapServers, topic);
    }

    RecordMetadata publish(String key, byte[] value) {
        return requests.send(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    RecordMetadata publish(String key, String value) {
        return publish(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks one record of {@code reindex-completed}: its value against the value schema, its headers against the
     * headers schema, and what no schema can say: the key is the requestId, ce_id is requestId:status, ce_subject the
     * alias, ce_time the instant of completedAt, durationMs the difference of the timestamps.
     *
     * @return the value
     */
    JsonNode checkOutcome(ConsumerRecord<byte[], byte[]> record) {
        JsonNode outcome = EventSchemas.value(record);
        JsonNode headers = EventSchemas.headers(record);
        assertThat(schemas.completed.validate(outcome)).as("value %s", outcome).isEmpty();
        assertThat(schemas.completedHeaders.validate(headers)).as("headers %s", headers).isEmpty();
        String requestId = outcome.path("requestId").asText();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(requestId);
        assertThat(headers.path("ce_id").asText()).isEqualTo(requestId + ":" + outcome.path("status").asText());
        assertThat(headers.path("ce_subject").asText()).isEqualTo(outcome.path("alias").asText());
        Instant startedAt = Instant.parse(outcome.path("startedAt").asText());
        Instant completedAt = Instant.parse(outcome.path("completedAt").asText());
        assertThat(Instant.parse(headers.path("ce_time").asText())).isEqualTo(completedAt);
        assertThat(outcome.path("durationMs").asLong()).isEqualTo(Duration.between(startedAt, completedAt).toMillis());
        return outcome;
    }

    @Override
    public void close() {
        requests.close();
    }
}
