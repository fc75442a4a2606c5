package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
 * Handing a slice back is not a failed attempt: a run fails a slice once it was claimed {@code 5} times without being
 * finished, but a claim that a graceful stop (SIGTERM, as on every rolling update) hands back does not count. One
 * instance leads the run and loads nothing, the run's companies are in one slice, and six workers in turn take that
 * slice and are stopped while loading it: the seventh still finishes it, and the run completes. Before the hand-backs
 * were told apart, the sixth claim failed the run.
 */
class HandBacksIT {

    private static final String ALIAS = "companies";
    private static final int COMPANIES = 20_000;
    private static final int HAND_BACKS = 6;

    @Test
    void sixHandBacksOfTheOnlySliceDoNotFailTheRun() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            search.deleteAll("companies-*");
            rows.generate(COMPANIES, 0.61);
            long published = rows.publishedCompanies();
            Map<String, String> leaderProperties = properties(services);
            leaderProperties.put("reindex.slices.workers", "0");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess leader = ServiceProcess.start("hand-backs-leader", leaderProperties)) {
                String requestId = services.request(requests, newRequestId());
                for (int attempt = 1; attempt <= HAND_BACKS; attempt++) {
                    try (ServiceProcess worker = ServiceProcess.start("hand-backs-worker-" + attempt,
                            properties(services))) {
                        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                                .until(() -> holdsTheSlice(services, worker));
                        assertThat(worker.stop()).as("a graceful stop").isIn(0, 143);
                        assertThat(worker.log()).as("worker %d handed the slice back", attempt)
                                .contains("pass 0: handed back");
                    }
                    assertThat(claims(services)).as("claims and hand-backs of the slice after %d stops", attempt)
                            .isEqualTo(new Claims(attempt, attempt));
                }
                assertThat(claims(services)).as("six claims, each handed back: none failed")
                        .isEqualTo(new Claims(HAND_BACKS, HAND_BACKS));

                try (ServiceProcess last = ServiceProcess.start("hand-backs-worker-last", properties(services))) {
                    JsonNode outcome = services.outcome(outcomes, requestId);
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                    assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                    assertThat(search.count(ALIAS)).isEqualTo(published);
                    assertThat(last.log()).containsPattern("slice 0 \\(.*pass 0: done");
                    assertThat(leader.log()).doesNotContain("never finished nor handed back");
                    assertThat(openSlices(services)).as("no slice left unfinished").isZero();
                }
            }
        }
    }

    /**
     * One slice for the whole run, loaded in pages of 50 and bulk requests of 100, so that its load takes seconds and
     * a stop lands while it is under way.
     */
    private static Map<String, String> properties(PackagedServices services) {
        Map<String, String> properties = services.serviceProperties();
        properties.put("reindex.slices.size", String.valueOf(5 * COMPANIES));
        properties.put("reindex.source.page-size", "50");
        properties.put("reindex.bulk.max-documents", "100");
        return properties;
    }

    private record Claims(int attempts, int handedBack) {
    }

    /** Whether this instance holds the unfinished slice of the load. */
    private static boolean holdsTheSlice(PackagedServices services, ServiceProcess instance) throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        select count(*) from reindexer.run_slice where claimed_by like ? and not done and pass = 0""")) {
            select.setString(1, "%/" + instance.pid() + "/%");
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1) > 0;
            }
        }
    }

    private static Claims claims(PackagedServices services) throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                ResultSet row = connection.createStatement()
                        .executeQuery("select attempts, handed_back from reindexer.run_slice where pass = 0")) {
            assertThat(row.next()).as("the run has its slice").isTrue();
            Claims claims = new Claims(row.getInt(1), row.getInt(2));
            assertThat(row.next()).as("the run has one slice only").isFalse();
            return claims;
        }
    }

    private static long openSlices(PackagedServices services) throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                ResultSet row = connection.createStatement()
                        .executeQuery("select count(*) from reindexer.run_slice where not done")) {
            row.next();
            return row.getLong(1);
        }
    }
}
