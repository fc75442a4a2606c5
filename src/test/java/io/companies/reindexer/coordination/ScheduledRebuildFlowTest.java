package io.companies.reindexer.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Scheduled rebuilds against the real services, with a tick every 20 s: a tick's request is served to
 * {@code COMPLETED}; a second instance firing on the same tick, before or after this one's scheduler, makes no second
 * request, so each tick has exactly one outcome; without an alias a tick requests nothing.
 */
@QuarkusTest
@TestProfile(ScheduledRebuildFlowTest.EveryTwentySeconds.class)
class ScheduledRebuildFlowTest {

    private static final String ALIAS = "companies";
    private static final int PERIOD_SECONDS = 20;

    public static class EveryTwentySeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reindex.schedule", "0/" + PERIOD_SECONDS + " * * * * ?");
        }
    }

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    @Inject
    ScheduledRebuild schedule;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void eachTickRequestsOneRebuildAcrossInstances() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        SearchIndices search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(200, 0.61);
        topics.completedRun();

        try (TopicWatcher outcomes = topics.watchOutcomes()) {
            // The next tick this instance's scheduler fires, whichever it is.
            List<Instant> ticks = nextTicks(4);
            ConsumerRecord<byte[], byte[]> first = outcomes.await(
                    record -> ticks.stream().anyMatch(tick -> isOutcomeOf(record, tick)), ServiceTopics.RUN_TIMEOUT);
            Instant tick = ticks.stream().filter(t -> isOutcomeOf(first, t)).findFirst().orElseThrow();
            assertThat(json.readTree(first.value()).get("status").asText()).isEqualTo("COMPLETED");

            // A second instance fires on the same tick after this one, and on the next before this one.
            ReindexRequested late = schedule.request(tick).orElseThrow();
            assertThat(late).isEqualTo(ScheduledRebuild.requestOf(ALIAS, tick));
            Instant next = tick.plusSeconds(PERIOD_SECONDS);
            assertThat(Instant.now()).as("the next tick is still to come").isBefore(next);
            schedule.request(next).orElseThrow();
            outcomes.await(record -> isOutcomeOf(record, next), ServiceTopics.RUN_TIMEOUT);

            List<ConsumerRecord<byte[], byte[]>> seen = outcomes.drain(Duration.ofSeconds(3));
            assertThat(seen.stream().filter(record -> isOutcomeOf(record, tick))).as("one outcome for %s", tick)
                    .hasSize(1);
            assertThat(seen.stream().filter(record -> isOutcomeOf(record, next))).as("one outcome for %s", next)
                    .hasSize(1);
        }

        String live = search.aliasTargets(ALIAS).getFirst();
        aliases("{\"remove\":{\"index\":\"" + live + "\",\"alias\":\"" + ALIAS + "\"}}");
        try {
            assertThat(schedule.request(Instant.now().truncatedTo(ChronoUnit.SECONDS))).as("no alias").isEmpty();
        } finally {
            aliases("{\"add\":{\"index\":\"" + live + "\",\"alias\":\"" + ALIAS + "\"}}");
        }
    }

    /** The next {@code count} ticks of the schedule. */
    private static List<Instant> nextTicks(int count) {
        long now = Instant.now().getEpochSecond();
        long first = (now / PERIOD_SECONDS + 1) * PERIOD_SECONDS;
        return IntStream.range(0, count).mapToObj(i -> Instant.ofEpochSecond(first + (long) i * PERIOD_SECONDS))
                .toList();
    }

    private static boolean isOutcomeOf(ConsumerRecord<byte[], byte[]> record, Instant tick) {
        return ServiceTopics.hasKey(record, ScheduledRebuild.requestOf(ALIAS, tick).requestId());
    }

    private void aliases(String actions) throws Exception {
        Request request = new Request("POST", "/_aliases");
        request.setJsonEntity("{\"actions\":[" + actions + "]}");
        engineClient.performRequest(request);
    }
}
