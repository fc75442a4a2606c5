package io.companies.reindexer.contract;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The event schemas against the events the service really accepts and produces, on the real topics: each request a
 * test sends is first judged by the request schema, then published; every outcome a test receives (COMPLETED,
 * REJECTED, FAILED, and an outcome published again; SKIPPED in {@link EventContractFlagOffTest}) is checked against
 * the outcome and header schemas; every dead letter against the dead-letter header schema, its value byte for byte.
 * The few places where the service is more lenient than the schema, or where the schema cannot say what the contract
 * says, are named and checked as such.
 */
@QuarkusTest
class EventContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "reindex.topics.requested")
    String requestedTopic;

    @TestHTTPResource("/events/")
    URI served;

    private final EventSchemas schemas = new EventSchemas();
    private ContractRecords records;
    private TopicWatcher outcomes;

    @BeforeEach
    void openTopics() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        rows.reset();
        rows.generate(40, 0.47);
        records = new ContractRecords(bootstrapServers, requestedTopic);
        outcomes = topics.watchOutcomes();
    }

    /** Every outcome the test received, whatever request it answers, matches the schemas. */
    @AfterEach
    void checkEveryOutcomeReceived() {
        try {
            List<ConsumerRecord<byte[], byte[]>> received = outcomes.drain(Duration.ofMillis(500));
            assertThat(received).isNotEmpty();
            received.forEach(records::checkOutcome);
        } finally {
            outcomes.close();
            records.close();
        }
    }

    @Test
    void requestsTheSchemaAcceptsAreServedAndTheirOutcomesMatchTheSchemas() throws Exception {
        String full = UUID.randomUUID().toString();
        String unknownFields = UUID.randomUUID().toString();
        Map<String, String> valid = new LinkedHashMap<>();
        valid.put(full, """
                {"requestId": "%s", "alias": "companies", "requestedBy": "ops-console",
                 "requestedAt": "2026-11-24T10:00:00Z"}""".formatted(full));
        valid.put(unknownFields, """
                {"requestId": "%s", "priority": "high", "requestedAt": "2026-11-24T10:00:00.123+00:00",
                 "extra": {"nested": [1, 2, {"x": null}]}}""".formatted(unknownFields));
        // Where the service is more lenient than the schema (docs/contract.md; events.md: "must be strings or
        // absent", "timestamps are ISO-8601 UTC"): a producer that follows the schema is always served.
        String nullField = UUID.randomUUID().toString();
        String localTime = UUID.randomUUID().toString();
        Map<String, String> lenient = Map.of(
                nullField, "{\"requestId\": \"%s\", \"requestedBy\": null}".formatted(nullField),
                localTime, "{\"requestId\": \"%s\", \"requestedAt\": \"2026-11-24T10:00:00\"}".formatted(localTime));
        valid.values().forEach(request -> assertValid(request, true));
        assertValid("{}", true);
        lenient.values().forEach(request -> assertValid(request, false));

        List<String> ids = new ArrayList<>();
        for (var request : valid.entrySet()) {
            records.publish(request.getKey(), request.getValue());
            ids.add(request.getKey());
        }
        RecordMetadata empty = records.publish(null, "{}");
        ids.add(RequestIds.ofRecord(empty.topic(), empty.partition(), empty.offset()));
        for (var request : lenient.entrySet()) {
            records.publish(request.getKey(), request.getValue());
            ids.add(request.getKey());
        }

        Map<String, ConsumerRecord<byte[], byte[]>> first = new LinkedHashMap<>();
        for (String id : ids) {
            ConsumerRecord<byte[], byte[]> record = outcomes.await(r -> hasKey(r, id), RUN_TIMEOUT);
            JsonNode outcome = records.checkOutcome(record);
            assertThat(outcome.path("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            assertThat(outcome.path("documents").asLong()).isPositive();
            first.put(id, record);
        }

        // Published at least once: a request whose id already has an outcome gets that outcome again, unchanged, and
        // the same CloudEvents id (what a consumer drops repeats by).
        records.publish(full, valid.get(full));
        List<ConsumerRecord<byte[], byte[]>> both = outcomes.awaitAll(r -> hasKey(r, full), 2, RUN_TIMEOUT);
        records.checkOutcome(both.get(1));
        assertThat(both.get(1).value()).isEqualTo(first.get(full).value());
        assertThat(EventSchemas.headers(both.get(1)).path("ce_id"))
                .isEqualTo(EventSchemas.headers(first.get(full)).path("ce_id"));
    }

    @Test
    void readableButInvalidRequestsFailTheSchemaAndAreRejected() throws Exception {
        Map<String, String> invalid = new LinkedHashMap<>();
        invalid.put("_all", "\"alias\": \"_all\"");
        invalid.put("empty alias", "\"alias\": \"\"");
        invalid.put("wildcard", "\"alias\": \"companies*\"");
        invalid.put("path", "\"alias\": \"companies/_doc\"");
        invalid.put("not ISO-8601", "\"requestedAt\": \"yesterday\"");
        invalid.put("257 characters", "\"requestedBy\": \"" + "x".repeat(257) + "\"");
        invalid.put("control character", "\"requestedBy\": \"ops\\u0007console\"");
        invalid.put("unpaired surrogate", "\"requestedBy\": \"ops\\ud800\"");
        // Which aliases a service manages is its configuration: the schema cannot know that these are not managed.
        Map<String, String> unmanaged = Map.of("another alias", "\"alias\": \"products\"",
                "case-sensitive", "\"alias\": \"Companies\"");

        Map<String, String> requestIds = new LinkedHashMap<>();
        for (var request : invalid.entrySet()) {
            requestIds.put(request.getKey(), publish(request.getValue(), false));
        }
        for (var request : unmanaged.entrySet()) {
            requestIds.put(request.getKey(), publish(request.getValue(), true));
        }
        for (var request : requestIds.entrySet()) {
            JsonNode outcome = records.checkOutcome(outcomes.await(r -> hasKey(r, request.getValue()), RUN_TIMEOUT));
            assertThat(outcome.path("status").asText()).as(request.getKey()).isEqualTo("REJECTED");
            assertThat(outcome.path("error").asText()).as(request.getKey()).isNotBlank();
        }
    }

    /** Publishes {@code {"requestId": <new id>, <fields>}} once the request schema judged it; returns the id. */
    private String publish(String fields, boolean schemaValid) {
        String requestId = UUID.randomUUID().toString();
        String request = "{\"requestId\": \"" + requestId + "\", " + fields + "}";
        assertValid(request, schemaValid);
        records.publish(requestId, request);
        return requestId;
    }

    @Test
    void aFailedRunsOutcomeMatchesTheSchema() throws Exception {
        // A cheap failure on a private engine: one more shard than the cluster allows, so the new index is refused.
        engine("PUT", "/contract-probe", "{\"settings\": {\"number_of_shards\": 1, \"number_of_replicas\": 0}}");
        try {
            engine("PUT", "/_cluster/settings", "{\"transient\": {\"cluster.max_shards_per_node\": 1}}");
            String requestId = UUID.randomUUID().toString();
            records.publish(requestId, "{\"requestId\": \"" + requestId + "\"}");
            JsonNode outcome = records.checkOutcome(outcomes.await(r -> hasKey(r, requestId), RUN_TIMEOUT));
            assertThat(outcome.path("status").asText()).as(outcome.toString()).isEqualTo("FAILED");
            assertThat(outcome.path("error").asText()).isNotBlank();
        } finally {
            engine("PUT", "/_cluster/settings", "{\"transient\": {\"cluster.max_shards_per_node\": null}}");
            engine("DELETE", "/contract-probe", null);
        }
    }

    @Test
    void malformedValuesFailTheSchemaAndAreDeadLetteredUnchanged() throws Exception {
        // JSON values the request schema judges, and refuses
        Map<String, byte[]> judged = new LinkedHashMap<>();
        judged.put("requestId a number", utf8("{\"requestId\": 5}"));
        judged.put("alias a boolean", utf8("{\"alias\": true}"));
        judged.put("requestedBy an array", utf8("{\"requestedBy\": [\"ops\"]}"));
        judged.put("requestedAt an object", utf8("{\"requestedAt\": {}}"));
        judged.put("empty requestId", utf8("{\"requestId\": \"\"}"));
        judged.put("requestId of 129 characters", utf8("{\"requestId\": \"" + "r".repeat(129) + "\"}"));
        judged.put("requestId with a control character", utf8("{\"requestId\": \"a\\u0001b\"}"));
        judged.put("an array", utf8("[{}]"));
        judged.put("a string", utf8("\"{}\""));
        judged.put("a number", utf8("42"));
        // What no JSON Schema can say (a schema judges one parsed JSON value): the service dead-letters these too.
        Map<String, byte[]> beyondSchema = new LinkedHashMap<>();
        beyondSchema.put("not JSON", utf8("reindex please"));
        beyondSchema.put("trailing text", utf8("{} {}"));
        beyondSchema.put("not UTF-8", new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' });
        beyondSchema.put("empty", new byte[0]);
        beyondSchema.put("tombstone", null);
        beyondSchema.put("over 64 KiB", utf8("{\"padding\": \"" + "p".repeat(64 * 1024) + "\"}"));
        beyondSchema.put("nested 33 deep", utf8("{\"x\": " + "[".repeat(32) + "]".repeat(32) + "}"));
        assertValid(new String(beyondSchema.get("over 64 KiB"), StandardCharsets.UTF_8), true);
        assertValid(new String(beyondSchema.get("nested 33 deep"), StandardCharsets.UTF_8), true);
        for (byte[] value : judged.values()) {
            assertThat(schemas.requested.validate(JSON.readTree(value))).as(utf8(value)).isNotEmpty();
        }

        Map<String, byte[]> all = new LinkedHashMap<>(judged);
        all.putAll(beyondSchema);
        try (TopicWatcher deadLetters = topics.watchDeadLetters()) {
            Map<String, String> keys = new LinkedHashMap<>();
            for (var value : all.entrySet()) {
                String key = "dead-letter-" + UUID.randomUUID();
                keys.put(value.getKey(), key);
                records.publish(key, value.getValue());
            }
            for (var value : all.entrySet()) {
                ConsumerRecord<byte[], byte[]> deadLetter = deadLetters.await(r -> hasKey(r, keys.get(value.getKey())),
                        RUN_TIMEOUT);
                JsonNode headers = EventSchemas.headers(deadLetter);
                assertThat(schemas.deadLetterHeaders.validate(headers)).as(value.getKey() + ": " + headers).isEmpty();
                assertThat(deadLetter.value()).as(value.getKey()).isEqualTo(value.getValue());
            }
        }
        // The last request of the test is served, so the topics went on (and the outcome check above sees one).
        String requestId = UUID.randomUUID().toString();
        records.publish(requestId, "{\"requestId\": \"" + requestId + "\"}");
        assertThat(records.checkOutcome(outcomes.await(r -> hasKey(r, requestId), RUN_TIMEOUT)).path("status")
                .asText()).isEqualTo("COMPLETED");
    }

    @Test
    void theServiceServesTheDocumentAndTheSchemas() throws Exception {
        // Checked with a request of its own, so the outcome check after the test has something to check.
        String requestId = UUID.randomUUID().toString();
        records.publish(requestId, "{\"requestId\": \"" + requestId + "\", \"alias\": \"products\"}");
        HttpClient http = HttpClient.newHttpClient();
        List<String> files = new ArrayList<>(EventSchemas.ALL);
        files.add("asyncapi.yaml");
        for (String file : files) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(served.resolve(file)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(file).isEqualTo(200);
            assertThat(response.body()).as(file).isEqualTo(EventSchemas.resource(EventSchemas.ROOT + file));
        }
        outcomes.await(r -> hasKey(r, requestId), RUN_TIMEOUT);
    }

    private void assertValid(String request, boolean valid) {
        try {
            var errors = schemas.requested.validate(JSON.readTree(request));
            if (valid) {
                assertThat(errors).as(request).isEmpty();
            } else {
                assertThat(errors).as(request).isNotEmpty();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void engine(String method, String path, String body) throws java.io.IOException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(body);
        }
        engineClient.performRequest(request);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
