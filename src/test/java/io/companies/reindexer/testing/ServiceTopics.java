package io.companies.reindexer.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
