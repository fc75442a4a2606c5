package io.companies.reindexer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The service's real Kafka topics, as the tests use them: publish requests, watch outcomes and dead letters. */
@ApplicationScoped
public class ServiceTopics {

    public static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "reindex.topics.requested")
    String requested;

    @ConfigProperty(name = "reindex.topics.completed")
    String completed;

    @ConfigProperty(name = "reindex.topics.dead-letter")
    String deadLetter;

    private final ObjectMapper json = new ObjectMapper();

    /** Publishes {@code requestJson} keyed by {@code requestId} and returns the outcome published for that id. */
    public JsonNode request(String requestId, String requestJson) throws IOException {
        try (TopicWatcher outcomes = watchOutcomes(); Requests requests = requests()) {
            requests.send(requestId, requestJson);
            return json.readTree(outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT).value());
        }
    }

    /**
     * Publishes {@code body}, a request's JSON object without its id ({@code "{}"} for none of its other fields), under
     * a fresh request id, and returns the outcome published for it.
     */
    public JsonNode requestWithNewId(String body) throws IOException {
        String requestId = UUID.randomUUID().toString();
        ObjectNode request = json.createObjectNode().put("requestId", requestId);
        request.setAll((ObjectNode) json.readTree(body));
        return request(requestId, json.writeValueAsString(request));
    }

    /**
     * The run a test starts from: publishes {@code body} (as {@link #requestWithNewId}) and asserts that its outcome is
     * {@code COMPLETED}, which it returns: the alias is then on an index of this build, with the companies of the
     * source.
     */
    public JsonNode completedRun(String body) throws IOException {
        JsonNode outcome = requestWithNewId(body);
        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
        return outcome;
    }

    /** {@link #completedRun(String)} of a request with nothing but its id. */
    public JsonNode completedRun() throws IOException {
        return completedRun("{}");
    }

    public Requests requests() {
        return new Requests(bootstrapServers, requested);
    }

    public TopicWatcher watchOutcomes() {
        return new TopicWatcher(bootstrapServers, completed);
    }

    public TopicWatcher watchDeadLetters() {
        return new TopicWatcher(bootstrapServers, deadLetter);
    }

    public static boolean hasKey(ConsumerRecord<byte[], byte[]> record, String key) {
        return record.key() != null && new String(record.key(), StandardCharsets.UTF_8).equals(key);
    }
}
