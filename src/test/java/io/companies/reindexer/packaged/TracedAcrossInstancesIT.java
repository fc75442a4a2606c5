package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SpanReceiver;
import io.companies.reindexer.testing.SpanReceiver.ReceivedSpan;
import io.companies.reindexer.testing.TopicWatcher;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One trace across instances: two packaged instances with tracing switched on send their spans over OTLP to a
 * receiver of the test. A request's trace, started by its publisher, goes on in the instance that leads its run and in
 * the one that loads some of its slices for it, and ends in the outcome's {@code traceparent} header; the JSON log
 * lines of each slice pass carry the trace and the pass's span.
 */
class TracedAcrossInstancesIT {

    private static final String SLICE_BULK = ".*\\.slice-[0-9.a-z-]+/_bulk";
    private static final Pattern PASS_LINE = Pattern.compile("^Run \\d+, slice \\d+ \\(.*\\), pass \\d+: done");

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRequestsTraceGoesOnInEveryInstanceThatWorksForIt() throws Exception {
        try (PackagedServices services = new PackagedServices();
                SpanReceiver receiver = SpanReceiver.start();
                FaultyEngineProxy firstEngine = FaultyEngineProxy.start(services.engineAddress());
                FaultyEngineProxy secondEngine = FaultyEngineProxy.start(services.engineAddress())) {
            services.freshSource(2_000, 0.37);
            String traceId = UUID.randomUUID().toString().replace("-", "");
            String publisherSpan = traceId.substring(0, 16);
            String requestId = newRequestId();

            ConsumerRecord<byte[], byte[]> outcome;
            Map<String, ServiceProcess> instances;
            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess first = ServiceProcess.start("traced-first",
                            traced(services.serviceProperties(firstEngine.hostAndPort()), receiver, "first"));
                    ServiceProcess second = ServiceProcess.start("traced-second",
                            traced(services.serviceProperties(secondEngine.hostAndPort()), receiver, "second"))) {
                instances = Map.of("first", first, "second", second);
                // Each instance's first slice request waits until the other has one too: both load part of the run.
                FaultyEngineProxy.Hold firstBulk = firstEngine.hold("POST", SLICE_BULK, 1);
                FaultyEngineProxy.Hold secondBulk = secondEngine.hold("POST", SLICE_BULK, 1);
                requests.send(requestId, "{\"requestId\":\"" + requestId + "\",\"requestedBy\":\"it\"}",
                        "00-" + traceId + "-" + publisherSpan + "-01");
                firstBulk.awaitHeld(1, Duration.ofMinutes(1));
                secondBulk.awaitHeld(1, Duration.ofMinutes(1));
                firstBulk.release();
                secondBulk.release();
                outcome = outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT);
                assertThat(new String(outcome.value(), StandardCharsets.UTF_8)).contains("\"status\":\"COMPLETED\"");
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> receiver.trace(traceId).stream().anyMatch(named("publish outcome")));
                first.stop();
                second.stop();
            }

            assertThat(outcome.headers().lastHeader("traceparent")).as("the outcome's traceparent").isNotNull();
            String published = new String(outcome.headers().lastHeader("traceparent").value(),
                    StandardCharsets.US_ASCII);
            assertThat(published).startsWith("00-" + traceId + "-");
            List<ReceivedSpan> trace = receiver.trace(traceId);
            // Every instance reads every request (each records it, the first one wins); the one recorded is continued.
            List<String> receptions = trace.stream().filter(span -> span.parentSpanId().equals(publisherSpan))
                    .map(ReceivedSpan::spanId).toList();
            ReceivedSpan run = only(trace, named("reindex run"), "the run's span");
            assertThat(run.parentSpanId()).as("the run's parent: a reception of the request, under the publisher's")
                    .isIn(receptions);
            for (String stage : List.of("create", "plan", "load", "swap")) {
                assertThat(only(trace, named(stage), "stage " + stage)).as("stage " + stage)
                        .extracting(ReceivedSpan::parentSpanId, ReceivedSpan::instance)
                        .containsExactly(run.spanId(), run.instance());
            }
            List<ReceivedSpan> passes = trace.stream().filter(named("slice pass")).toList();
            assertThat(passes).as("slice passes, each under the reception the run continues")
                    .allSatisfy(pass -> assertThat(pass.parentSpanId()).isEqualTo(run.parentSpanId()))
                    .extracting(ReceivedSpan::instance).as("the instances that loaded slices")
                    .contains("first", "second");
            Map<String, String> passInstance = passes.stream()
                    .collect(Collectors.toMap(ReceivedSpan::spanId, ReceivedSpan::instance));
            assertThat(trace).filteredOn(named("bulk")).as("bulk requests, each under a pass of its instance")
                    .isNotEmpty()
                    .allSatisfy(bulk -> assertThat(passInstance.get(bulk.parentSpanId())).isEqualTo(bulk.instance()));
            assertThat(only(trace, named("publish outcome"), "the outcome's publication").spanId())
                    .as("the span the outcome's traceparent names").isEqualTo(published.split("-")[2]);

            for (Map.Entry<String, ServiceProcess> instance : instances.entrySet()) {
                Set<String> itsPasses = passes.stream().filter(pass -> pass.instance().equals(instance.getKey()))
                        .map(ReceivedSpan::spanId).collect(Collectors.toSet());
                assertThat(passLines(instance.getValue())).as("the pass lines of %s", instance.getKey()).isNotEmpty()
                        .allSatisfy(line -> {
                            assertThat(line.path("mdc").path("traceId").asText()).as(line.toString())
                                    .isEqualTo(traceId);
                            assertThat(line.path("mdc").path("spanId").asText()).as(line.toString()).isIn(itsPasses);
                        });
            }
        }
    }

    /** Slices of 250 companies loaded in requests of 25; tracing on, sent to the receiver in batches every 100 ms. */
    private static Map<String, String> traced(Map<String, String> properties, SpanReceiver receiver, String name) {
        properties.put("reindex.slices.size", "250");
        properties.put("reindex.source.page-size", "25");
        properties.put("reindex.bulk.max-documents", "25");
        properties.put("quarkus.otel.sdk.disabled", "false");
        properties.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
        properties.put("quarkus.otel.exporter.otlp.traces.endpoint", receiver.endpoint());
        properties.put("quarkus.otel.bsp.schedule.delay", "100ms");
        properties.put("quarkus.otel.resource.attributes", "service.instance.id=" + name);
        return properties;
    }

    private List<JsonNode> passLines(ServiceProcess instance) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : instance.log().lines().filter(line -> line.startsWith("{")).toList()) {
            JsonNode parsed = json.readTree(line);
            if (PASS_LINE.matcher(parsed.path("message").asText()).find()) {
                lines.add(parsed);
            }
        }
        return lines;
    }

    private static Predicate<ReceivedSpan> named(String name) {
        return span -> span.name().equals(name);
    }

    private static ReceivedSpan only(List<ReceivedSpan> trace, Predicate<ReceivedSpan> match, String what) {
        List<ReceivedSpan> matching = trace.stream().filter(match).toList();
        assertThat(matching).as("%s in %s", what, trace).hasSize(1);
        return matching.getFirst();
    }
}
