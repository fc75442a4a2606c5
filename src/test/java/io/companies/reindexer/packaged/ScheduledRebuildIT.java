package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.companies.reindexer.contract.RequestIds;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.TopicWatcher;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code reindex.schedule} on two packaged instances: every tick is one request, made by one of them, served once to
 * {@code COMPLETED}, whose outcome is published once.
 */
class ScheduledRebuildIT {

    private static final int PERIOD_SECONDS = 20;
    private static final int TICKS = 2;

    @Test
    void eachTickIsOneRequestAcrossTwoInstances() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            services.freshSource(500, 0.53);
            Map<String, String> properties = services.serviceProperties();
            properties.put("reindex.schedule", "0/" + PERIOD_SECONDS + " * * * * ?");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess first = ServiceProcess.start("scheduled-1", properties);
                    ServiceProcess second = ServiceProcess.start("scheduled-2", properties)) {
                // The alias first: a tick without one requests nothing.
                String initial = services.request(requests, newRequestId());
                JsonNode initialOutcome = services.outcome(outcomes, initial);
                assertThat(initialOutcome.get("status").asText()).isEqualTo("COMPLETED");

                long next = (Instant.now().getEpochSecond() / PERIOD_SECONDS + 1) * PERIOD_SECONDS;
                List<String> ticks = IntStream.range(0, TICKS)
                        .mapToObj(i -> Instant.ofEpochSecond(next + (long) i * PERIOD_SECONDS).toString()).toList();
                for (String tick : ticks) {
                    String requestId = RequestIds.ofCause("reindexer:schedule/companies/" + tick);
                    JsonNode outcome = services.outcome(outcomes, requestId,
                            Duration.ofSeconds(PERIOD_SECONDS).plus(ServiceTopics.RUN_TIMEOUT));
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                }
                List<ConsumerRecord<byte[], byte[]>> all = outcomes.drain(Duration.ofSeconds(3));
                for (String tick : ticks) {
                    String requestId = RequestIds.ofCause("reindexer:schedule/companies/" + tick);
                    assertThat(all.stream().filter(record -> ServiceTopics.hasKey(record, requestId)))
                            .as("one outcome for the tick %s", tick).hasSize(1);
                    long requesters = Stream.of(first, second)
                            .filter(service -> logOf(service).contains(requestId)
                                    && logOf(service).contains("Scheduled rebuild of alias companies at " + tick))
                            .count();
                    assertThat(requesters).as("one instance requested the tick %s", tick).isEqualTo(1);
                }
                // A tick before these may have found the alias an earlier test left: it too has one outcome. The
                // initial request came through Kafka while the group was forming: read again by the other instance,
                // its outcome is published again, unchanged (events.md, duplicates); the ticks never come that way.
                assertThat(services.allOutcomes(outcomes, initial, Duration.ofMillis(100))).as("the initial outcome")
                        .allSatisfy(copy -> assertThat(copy).isEqualTo(initialOutcome));
                assertThat(all.stream().filter(record -> !ServiceTopics.hasKey(record, initial))
                        .map(record -> new String(record.key(), StandardCharsets.UTF_8)))
                        .as("no outcome of the schedule published twice").doesNotHaveDuplicates();
            }
        }
    }

    private static String logOf(ServiceProcess service) {
        try {
            return service.log();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
