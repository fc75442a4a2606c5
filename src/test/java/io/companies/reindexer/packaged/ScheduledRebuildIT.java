package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code reindex.schedule} with two instances: ticks before the alias exists request nothing; once a first run made
 * it, every tick makes exactly one request, whichever instance records it, and each is answered once on
 * {@code reindex-completed}.
 */
class ScheduledRebuildIT {

    private static final Duration TICK = Duration.ofSeconds(5);
    private static final String EVERY_TICK = "0/5 * * * * ?";
    private static final String NO_ALIAS_YET = "the alias does not exist yet, nothing requested";

    private record Scheduled(String requestId, Instant tick) {
    }

    @Test
    void everyTickMakesOneRequestAcrossInstancesOnceTheAliasExists() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            search.deleteAll("companies-*");
            rows.generate(300, 0.47);
            Map<String, String> properties = services.serviceProperties();
            properties.put("reindex.schedule", EVERY_TICK);

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess first = ServiceProcess.start("scheduled-1", properties);
                    ServiceProcess second = ServiceProcess.start("scheduled-2", properties)) {
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                        .until(() -> first.log().contains(NO_ALIAS_YET) && second.log().contains(NO_ALIAS_YET));
                assertThat(scheduled(services)).as("a fresh engine: no request").isEmpty();

                JsonNode firstRun = services.outcome(outcomes, services.request(requests, newRequestId()));
                assertThat(firstRun.get("status").asText()).as(firstRun.toString()).isEqualTo("COMPLETED");
                List<Scheduled> made = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                        .until(() -> scheduled(services), list -> list.size() >= 3);

                for (Scheduled request : made.subList(0, 2)) {
                    JsonNode outcome = services.outcome(outcomes, request.requestId());
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                    assertThat(services.allOutcomes(outcomes, request.requestId(), Duration.ofMillis(300)))
                            .as("one outcome for the request of %s", request.tick()).hasSize(1);
                }
                List<Scheduled> all = scheduled(services);
                Duration spanned = Duration.between(all.getFirst().tick(), all.getLast().tick());
                assertThat(all).as("one request per tick from %s to %s", all.getFirst().tick(), all.getLast().tick())
                        .hasSize((int) (spanned.toSeconds() / TICK.toSeconds()) + 1);
                assertThat(first.log() + second.log())
                        .containsPattern("Scheduled rebuild of companies at \\S+: request \\S+ recorded");
            }
        }
    }

    /** The requests the schedule made, oldest tick first. */
    private static List<Scheduled> scheduled(PackagedServices services) throws Exception {
        List<Scheduled> made = new ArrayList<>();
        try (Connection connection = services.dataSource().getConnection();
                ResultSet row = connection.createStatement().executeQuery("""
                        select request_id, requested_at from reindexer.reindex_request
                        where requested_by = 'reindexer:schedule' order by requested_at""")) {
            while (row.next()) {
                made.add(new Scheduled(row.getString(1), Instant.parse(row.getString(2))));
            }
        }
        return made;
    }
}
