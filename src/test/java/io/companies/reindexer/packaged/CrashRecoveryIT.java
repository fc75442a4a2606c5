package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The packaged service killed with SIGKILL in the middle of a run, then started again: searchers never lose the last
 * good index, the interrupted run gets its outcome, nothing it created is left behind, and the next request completes.
 * A run whose index carries the alias completes, even when the record of its swap was lost: the engine is trusted.
 */
class CrashRecoveryIT {

    private static final String ALIAS = "companies";

    private static PackagedServices services;
    private static SearchIndices search;
    private static long published;

    @BeforeAll
    static void loadCompanies() throws Exception {
        services = new PackagedServices();
        search = services.search();
        SourceRows rows = new SourceRows(services.dataSource());
        rows.reset();
        services.forgetServiceState();
        rows.generate(20_000, 0.61);
        published = rows.publishedCompanies();
    }

    @AfterAll
    static void close() throws Exception {
        services.close();
    }

    @Test
    void killedDuringTheLoadTheRunIsResumedAtRestartIntoItsIndex() throws Exception {
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String good;
            String partial;
            String interrupted = newRequestId();
            try (ServiceProcess service = ServiceProcess.start("crash-during-load-1", services.serviceProperties())) {
                good = services.outcome(outcomes, services.request(requests, newRequestId())).get("index").asText();
                services.request(requests, interrupted);
                partial = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                        .until(() -> search.filling(good, 2_000), index -> index != null);
                service.kill();
            }
            assertThat(search.aliasTargets(ALIAS)).containsExactly(good);
            assertThat(search.count(ALIAS)).isEqualTo(published);
            assertThat(search.indices("companies-*")).as("the kill left the partial index").contains(partial);

            try (ServiceProcess service = ServiceProcess.start("crash-during-load-2", services.serviceProperties())) {
                JsonNode resumed = services.outcome(outcomes, interrupted);
                assertThat(resumed.get("status").asText()).as(resumed.toString()).isEqualTo("COMPLETED");
                assertThat(resumed.get("index").asText()).isEqualTo(partial);
                assertThat(resumed.get("documents").asLong()).isEqualTo(published);
                assertThat(resumed.get("deletedIndices")).extracting(JsonNode::asText).containsExactly(good);
                assertThat(search.indices("companies-*")).containsExactly(partial);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(partial);
                assertThat(service.log()).contains("resuming with index " + partial);

                JsonNode next = services.outcome(outcomes, services.request(requests, newRequestId()));
                assertThat(next.get("status").asText()).isEqualTo("COMPLETED");
                assertThat(next.get("documents").asLong()).isEqualTo(published);
                assertThat(search.indices("companies-*")).containsExactly(next.get("index").asText());
            }
            assertThat(services.allOutcomes(outcomes, interrupted, Duration.ofSeconds(1)))
                    .as("a redelivered request gets the recorded outcome again, never another run")
                    .allSatisfy(outcome -> assertThat(outcome).isEqualTo(services.outcome(outcomes, interrupted)));
        }
    }

    @Test
    void stoppedGracefullyDuringTheLoadTheRunIsResumedAtTheNextStart() throws Exception {
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String good;
            String partial;
            String stopped = newRequestId();
            try (ServiceProcess service = ServiceProcess.start("graceful-stop-1", services.serviceProperties())) {
                good = services.outcome(outcomes, services.request(requests, newRequestId())).get("index").asText();
                services.request(requests, stopped);
                partial = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                        .until(() -> search.filling(good, 2_000), index -> index != null);
                service.stop();
                assertThat(service.log()).contains("handed back", "is not finished: Stopped: the service is shutting"
                        + " down");
            }
            assertThat(search.indices("companies-*")).as("the stopped run kept its index").contains(good, partial);
            assertThat(search.aliasTargets(ALIAS)).containsExactly(good);
            assertThat(services.allOutcomes(outcomes, stopped, Duration.ofSeconds(1))).as("no outcome yet").isEmpty();

            try (ServiceProcess service = ServiceProcess.start("graceful-stop-2", services.serviceProperties())) {
                JsonNode resumed = services.outcome(outcomes, stopped);
                assertThat(resumed.get("status").asText()).as(resumed.toString()).isEqualTo("COMPLETED");
                assertThat(resumed.get("index").asText()).isEqualTo(partial);
                assertThat(resumed.get("documents").asLong()).isEqualTo(published);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(partial);
            }
        }
    }

    @Test
    void killedRightAfterTheSwapTheRunIsRecordedCompletedAtRestart() throws Exception {
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String requestId = newRequestId();
            String swappedTo;
            try (ServiceProcess service = ServiceProcess.start("crash-after-swap-1", services.serviceProperties())) {
                List<String> before = search.aliasTargets(ALIAS);
                services.request(requests, requestId);
                swappedTo = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5))
                        .until(() -> search.aliasTargets(ALIAS), targets -> !targets.equals(before)).getFirst();
                service.kill();
            }
            assertThat(search.aliasTargets(ALIAS)).containsExactly(swappedTo);
            assertThat(search.count(ALIAS)).isEqualTo(published);

            try (ServiceProcess service = ServiceProcess.start("crash-after-swap-2", services.serviceProperties())) {
                JsonNode outcome = services.outcome(outcomes, requestId);
                assertThat(outcome.get("status").asText()).isEqualTo("COMPLETED");
                assertThat(outcome.get("index").asText()).isEqualTo(swappedTo);
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                assertThat(search.indices("companies-*")).containsExactly(swappedTo);
                assertThat(services.allOutcomes(outcomes, requestId, Duration.ofSeconds(3)))
                        .allSatisfy(again -> assertThat(again).isEqualTo(outcome));
            }
        }
    }

    @Test
    void aRunStillRecordedAsRunningWhoseIndexCarriesTheAliasIsCompletedAtRestart() throws Exception {
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String requestId = newRequestId();
            List<String> before;
            String swappedTo;
            try (ServiceProcess service = ServiceProcess.start("lost-swapping-1", services.serviceProperties())) {
                before = search.aliasTargets(ALIAS);
                services.request(requests, requestId);
                swappedTo = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5))
                        .until(() -> search.aliasTargets(ALIAS), targets -> !targets.equals(before)).getFirst();
                service.kill();
            }
            // The commit that recorded SWAPPING lost, as after a failover to an asynchronous replica or a restore.
            try (Connection connection = services.dataSource().getConnection();
                    PreparedStatement lose = connection.prepareStatement("""
                            update reindexer.reindex_run set state = 'RUNNING', documents = null,
                            previous_indices = null, deleted_indices = null where index_name = ?""")) {
                lose.setString(1, swappedTo);
                assertThat(lose.executeUpdate()).isEqualTo(1);
            }

            try (ServiceProcess service = ServiceProcess.start("lost-swapping-2", services.serviceProperties())) {
                JsonNode outcome = services.outcome(outcomes, requestId);
                assertThat(outcome.get("status").asText()).as("outcome %s", outcome).isEqualTo("COMPLETED");
                assertThat(outcome.get("index").asText()).isEqualTo(swappedTo);
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                assertThat(outcome.get("deletedIndices")).extracting(JsonNode::asText).containsAll(before);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(swappedTo);
                assertThat(search.indices("companies-*")).containsExactly(swappedTo);
            }
        }
    }

    @Test
    void stoppedGracefullyAfterTheSwapTheRunIsFinishedAtRestart() throws Exception {
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String requestId = newRequestId();
            List<String> before;
            String swappedTo;
            try (ServiceProcess service = ServiceProcess.start("stop-after-swap-1", services.serviceProperties())) {
                before = search.aliasTargets(ALIAS);
                services.request(requests, requestId);
                swappedTo = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5))
                        .until(() -> search.aliasTargets(ALIAS), targets -> !targets.equals(before)).getFirst();
                service.stop();
            }
            assertThat(search.aliasTargets(ALIAS)).as("searchers right after the stop").containsExactly(swappedTo);
            assertThat(search.count(ALIAS)).isEqualTo(published);
            assertThat(search.indices("companies-*")).as("the stop came before the run deleted the indices it retired")
                    .containsAll(before);

            try (ServiceProcess service = ServiceProcess.start("stop-after-swap-2", services.serviceProperties())) {
                JsonNode outcome = services.outcome(outcomes, requestId);
                assertThat(outcome.get("status").asText()).as("outcome %s", outcome).isEqualTo("COMPLETED");
                assertThat(outcome.get("index").asText()).isEqualTo(swappedTo);
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                assertThat(outcome.get("previousIndices")).extracting(JsonNode::asText)
                        .containsExactlyElementsOf(before);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(swappedTo);
                assertThat(search.indices("companies-*")).as("indices after the restart (before the run: %s)", before)
                        .containsExactly(swappedTo);
                assertThat(services.allOutcomes(outcomes, requestId, Duration.ofSeconds(3)))
                        .as("outcomes published for %s", requestId).isNotEmpty()
                        .allSatisfy(again -> assertThat(again).isEqualTo(outcome));
            }
        }
    }
}
