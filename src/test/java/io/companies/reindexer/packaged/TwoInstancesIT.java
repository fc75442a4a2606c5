package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
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
 * Two instances of the packaged service in different consumer groups, so both receive every request and race for
 * the same alias: runs never overlap, and every request gets one outcome (a second, identical copy at most).
 */
class TwoInstancesIT {

    private static final String ALIAS = "companies";

    private record Run(long id, OffsetDateTime startedAt, OffsetDateTime completedAt, String instance) {
    }

    @Test
    void twoInstancesNeverRunTheSameAliasAtOnce() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            rows.generate(8_000, 0.29);
            List<String> ids = List.of(newRequestId(), newRequestId(), newRequestId(), newRequestId());
            Map<String, String> first = services.serviceProperties();
            first.put("mp.messaging.incoming.reindex-requested.group.id", "it-instance-a");
            Map<String, String> second = services.serviceProperties();
            second.put("mp.messaging.incoming.reindex-requested.group.id", "it-instance-b");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess a = ServiceProcess.start("two-instances-a", first);
                    ServiceProcess b = ServiceProcess.start("two-instances-b", second)) {
                services.request(requests, ids.get(0));
                Thread.sleep(1_500);
                ids.subList(1, ids.size()).forEach(id -> services.request(requests, id));

                List<JsonNode> last = new ArrayList<>();
                for (String id : ids) {
                    JsonNode outcome = services.outcome(outcomes, id);
                    assertThat(outcome.get("status").asText()).as(id).isEqualTo("COMPLETED");
                    last.add(outcome);
                }
                for (String id : ids) {
                    assertThat(services.allOutcomes(outcomes, id, Duration.ofSeconds(2))).as(id).hasSizeBetween(1, 2)
                            .allSatisfy(outcome -> assertThat(outcome).isEqualTo(services.outcome(outcomes, id)));
                }
                for (String id : ids) {
                    assertThat(a.log()).contains("Request " + id + " received");
                    assertThat(b.log()).contains("Request " + id + " received");
                }
                String newest = last.getLast().get("index").asText();
                assertThat(search.aliasTargets(ALIAS)).containsExactly(newest);
                assertThat(search.indices("companies-*")).containsExactly(newest);
            }

            List<Run> runs = runsOf(services, ids);
            assertThat(runs).hasSizeBetween(2, 4);
            for (int i = 1; i < runs.size(); i++) {
                assertThat(runs.get(i).startedAt()).as("run %d starts after run %d ended", runs.get(i).id(),
                        runs.get(i - 1).id()).isAfterOrEqualTo(runs.get(i - 1).completedAt());
            }
        }
    }

    private static List<Run> runsOf(PackagedServices services, List<String> requestIds) throws Exception {
        List<Run> runs = new ArrayList<>();
        try (Connection connection = services.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        SELECT id, started_at, completed_at, instance FROM reindexer.reindex_run
                        WHERE id IN (SELECT run_id FROM reindexer.reindex_request WHERE request_id = ANY (?))
                        ORDER BY started_at""")) {
            select.setArray(1, connection.createArrayOf("varchar", requestIds.toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    runs.add(new Run(rows.getLong(1), rows.getObject(2, OffsetDateTime.class),
                            rows.getObject(3, OffsetDateTime.class), rows.getString(4)));
                }
            }
        }
        return runs;
    }
}
