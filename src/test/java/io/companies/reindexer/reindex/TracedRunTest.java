package io.companies.reindexer.reindex;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.api.Tokens;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;
import io.companies.reindexer.testing.Traced;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * One trace from a request to its outcome: the publisher's {@code traceparent} header (on the Kafka record or the HTTP
 * call) is continued by the consumer, the run (a span per stage under the run's), its slice passes (a span per bulk
 * request under each) and the outcome's publication, whose span the outcome's own {@code traceparent} header names.
 */
@QuarkusTest
@TestProfile(Traced.class)
class TracedRunTest {

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    InMemorySpanExporter spans;

    @TestHTTPResource("/")
    URI base;

    @Test
    void oneTraceGoesFromTheRequestsHeaderToTheOutcomesHeader() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        rows.reset();
        rows.generate(900, 0.5);
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String publisherSpan = traceId.substring(0, 16);
        String requestId = UUID.randomUUID().toString();

        ConsumerRecord<byte[], byte[]> outcome;
        try (TopicWatcher outcomes = topics.watchOutcomes(); Requests requests = topics.requests()) {
            requests.send(requestId, "{\"requestId\":\"" + requestId + "\",\"requestedBy\":\"test\"}",
                    "00-" + traceId + "-" + publisherSpan + "-01");
            outcome = outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT);
        }
        assertThat(new String(outcome.value(), StandardCharsets.UTF_8)).contains("\"status\":\"COMPLETED\"");
        List<Header> traceparents = Arrays.stream(outcome.headers().toArray())
                .filter(header -> header.key().equals("traceparent")).toList();
        assertThat(traceparents).as("the outcome's traceparent headers").hasSize(1);
        String published = new String(traceparents.getFirst().value(), StandardCharsets.US_ASCII);
        assertThat(published).as("the outcome's traceparent").startsWith("00-" + traceId + "-");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(names(traceId))
                .contains("reindex run", "create", "plan", "load", "swap", "slice pass", "bulk", "publish outcome"));
        List<SpanData> trace = spans.getFinishedSpanItems().stream()
                .filter(span -> span.getTraceId().equals(traceId)).toList();
        Map<String, SpanData> byId = trace.stream()
                .collect(Collectors.toMap(SpanData::getSpanId, Function.identity()));
        SpanData run = only(trace, "reindex run");
        assertThat(byId).as("the run's parent: the consumer's span, under the publisher's")
                .containsKey(run.getParentSpanId());
        assertThat(byId.get(run.getParentSpanId()).getParentSpanId()).isEqualTo(publisherSpan);
        for (String stage : List.of("create", "plan", "load", "swap")) {
            assertThat(only(trace, stage).getParentSpanId()).as("the parent of stage " + stage)
                    .isEqualTo(run.getSpanId());
        }
        List<SpanData> passes = trace.stream().filter(span -> span.getName().equals("slice pass")).toList();
        assertThat(passes).as("a pass of each of the three slices, at least").hasSizeGreaterThanOrEqualTo(3);
        assertThat(trace).filteredOn(span -> span.getName().equals("bulk")).isNotEmpty()
                .allSatisfy(bulk -> assertThat(passes).extracting(SpanData::getSpanId)
                        .contains(bulk.getParentSpanId()));
        assertThat(only(trace, "publish outcome").getSpanId()).as("the span the outcome's traceparent names")
                .isEqualTo(published.split("-")[2]);
    }

    @Test
    void aRequestOverHttpContinuesItsCallersTrace() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        rows.reset();
        rows.generate(100, 0.3);
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String requestId = UUID.randomUUID().toString();

        ConsumerRecord<byte[], byte[]> outcome;
        try (TopicWatcher outcomes = topics.watchOutcomes()) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/reindex"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + Tokens.admin())
                    .header("traceparent", "00-" + traceId + "-" + traceId.substring(16) + "-01")
                    .POST(BodyPublishers.ofString("{\"requestId\":\"" + requestId + "\"}")).build(),
                    BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            outcome = outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT);
        }
        assertThat(outcome.headers().lastHeader("traceparent")).isNotNull();
        assertThat(new String(outcome.headers().lastHeader("traceparent").value(), StandardCharsets.US_ASCII))
                .as("the outcome's traceparent").startsWith("00-" + traceId + "-");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(names(traceId)).contains("reindex run", "publish outcome"));
    }

    private List<String> names(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId))
                .map(SpanData::getName).toList();
    }

    private static SpanData only(List<SpanData> trace, String name) {
        List<SpanData> named = trace.stream().filter(span -> span.getName().equals(name)).toList();
        assertThat(named).as("spans named " + name).hasSize(1);
        return named.getFirst();
    }
}
