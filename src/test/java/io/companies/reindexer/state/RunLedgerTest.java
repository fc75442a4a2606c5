package io.companies.reindexer.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.state.RunLedger.ClaimedRun;
import io.companies.reindexer.state.RunLedger.InterruptedRun;
import io.companies.reindexer.testing.FeatureFlagOff;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;

/**
 * Who may decide a run, against the real PostgreSQL: a take-over makes the run another generation's, after which its
 * deposed leader can neither record the swap nor an outcome, and a take-over of a run that has ended changes nothing.
 * On an alias of its own, which the running service (flag off) never serves.
 */
@QuarkusTest
@TestProfile(FeatureFlagOff.class)
class RunLedgerTest {

    private static final String ALIAS = "run-ledger-test";

    @Inject
    RunLedger ledger;

    @Inject
    OutcomeOutbox outbox;

    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void forgetRuns() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement delete = connection.createStatement()) {
            delete.execute("delete from reindexer.reindex_request where alias = '" + ALIAS + "'");
            delete.execute("delete from reindexer.reindex_run where alias = '" + ALIAS + "'");
            delete.execute("delete from reindexer.outcome_outbox where alias = '" + ALIAS + "'");
        }
    }

    @Test
    void aLeaderWhoseRunWasTakenOverRecordsNeitherItsSwapNorAnOutcome() {
        String requestId = UUID.randomUUID().toString();
        ledger.accept(new ReindexRequested(requestId, ALIAS, "test", null, false), ALIAS);
        ClaimedRun first = ledger.claim(ALIAS, "companies-ledger", "first", "build-1", 1).orElseThrow();
        assertThat(first.owner()).isEqualTo(new RunOwner(first.id(), "first", 1));

        InterruptedRun interrupted = ledger.interrupted(ALIAS).getFirst();
        assertThat(interrupted.definition()).isEqualTo("build-1");
        ClaimedRun second = ledger.takeOver(interrupted, ALIAS, "second", "build-2").orElseThrow();

        assertThat(second.owner()).isEqualTo(new RunOwner(first.id(), "second", 2));
        assertThat(ledger.interrupted(ALIAS).getFirst().definition()).as("the run is the taking build's")
                .isEqualTo("build-2");
        assertThat(ledger.owns(first.owner())).isFalse();
        assertThat(ledger.swapping(first.owner(), 10, List.of(), List.of())).as("the deposed leader's swap").isFalse();
        assertThat(ledger.finish(first.owner(), at -> List.of(failed(requestId, at)))).as("its outcome").isFalse();
        assertThat(ledger.owns(second.owner())).isTrue();
        assertThat(ledger.swapping(second.owner(), 10, List.of(), List.of())).isTrue();
        assertThat(ledger.finish(second.owner(), at -> List.of(failed(requestId, at)))).isTrue();
        assertThat(ledger.takeOver(interrupted, ALIAS, "third", "build-2")).as("a run that has ended").isEmpty();
        assertThat(ledger.owns(second.owner())).as("ended").isFalse();
    }

    @Test
    void aRunStartedAgainEndsWithoutAnOutcomeAndItsRequestsWaitAgain() {
        String requestId = UUID.randomUUID().toString();
        ledger.accept(new ReindexRequested(requestId, ALIAS, "test", null, false), ALIAS);
        ClaimedRun old = ledger.claim(ALIAS, "companies-old-build", "old", "build-1", 1).orElseThrow();
        ClaimedRun taken = ledger.takeOver(ledger.interrupted(ALIAS).getFirst(), ALIAS, "new", "build-2")
                .orElseThrow();

        assertThat(ledger.restart(old.owner(), "deposed")).isFalse();
        assertThat(ledger.restart(taken.owner(), "another build started it")).isTrue();

        assertThat(ledger.interrupted(ALIAS)).isEmpty();
        assertThat(ledger.hasWaiting(ALIAS, 1)).isTrue();
        assertThat(ledger.claim(ALIAS, "companies-new-build", "new", "build-2", 1).orElseThrow().requestIds())
                .containsExactly(requestId);
    }

    @Test
    void aRunIsForcedWhenAnyOfItsRequestsIsAndStaysForcedWhenTakenOver() {
        String plain = UUID.randomUUID().toString();
        String forced = UUID.randomUUID().toString();
        ledger.accept(new ReindexRequested(plain, ALIAS, "test", null, false), ALIAS);
        ledger.accept(new ReindexRequested(forced, ALIAS, "test", null, true), ALIAS);
        // The same id again, without force: the request stays as it was first recorded.
        ledger.accept(new ReindexRequested(forced, ALIAS, "test", null, false), ALIAS);

        ClaimedRun run = ledger.claim(ALIAS, "companies-forced", "first", "build-1", 1).orElseThrow();

        assertThat(run.requestIds()).containsExactly(plain, forced);
        assertThat(run.force()).isTrue();
        InterruptedRun interrupted = ledger.interrupted(ALIAS).getFirst();
        assertThat(interrupted.force()).isTrue();
        assertThat(ledger.takeOver(interrupted, ALIAS, "second", "build-1").orElseThrow().force()).isTrue();
    }

    @Test
    void aRunOfUnforcedRequestsIsNotForced() {
        ledger.accept(new ReindexRequested(UUID.randomUUID().toString(), ALIAS, "test", null, false), ALIAS);
        assertThat(ledger.claim(ALIAS, "companies-plain", "first", "build-1", 1).orElseThrow().force()).isFalse();
        assertThat(ledger.interrupted(ALIAS).getFirst().force()).isFalse();
    }

    @Test
    void aRequestThatNeedsANewerDefinitionIsLeftToANewerBuild() {
        String plain = UUID.randomUUID().toString();
        String newer = UUID.randomUUID().toString();
        ledger.acceptIfAbsent(new ReindexRequested(newer, ALIAS, "reindexer:definition-change", null, false), ALIAS, 2);

        assertThat(ledger.hasWaiting(ALIAS, 1)).as("for a build of version 1").isFalse();
        assertThat(ledger.claim(ALIAS, "companies-old-build", "old", "build-1", 1)).isEmpty();

        ledger.accept(new ReindexRequested(plain, ALIAS, "test", null, false), ALIAS);
        assertThat(ledger.claim(ALIAS, "companies-old-build", "old", "build-1", 1).orElseThrow().requestIds())
                .as("the older build runs the others").containsExactly(plain);
        assertThat(ledger.hasWaiting(ALIAS, 2)).isTrue();
        assertThat(ledger.claim(ALIAS, "companies-new-build", "new", "build-2", 2).orElseThrow().requestIds())
                .containsExactly(newer);
    }

    @Test
    void aRequestAcceptedIfAbsentIsRecordedOnceAndItsOutcomeNeverPublishedAgain() {
        String requestId = UUID.randomUUID().toString();
        ReindexRequested request = new ReindexRequested(requestId, ALIAS, "reindexer:definition-change", null, false);

        assertThat(ledger.acceptIfAbsent(request, ALIAS, 2)).as("first").isTrue();
        assertThat(ledger.acceptIfAbsent(request, ALIAS, 2)).as("while it waits").isFalse();
        assertThat(ledger.hasWaiting(ALIAS, 1)).as("it keeps the definition version it needs").isFalse();
        ClaimedRun run = ledger.claim(ALIAS, "companies-if-absent", "new", "build-2", 2).orElseThrow();
        assertThat(run.requestIds()).containsExactly(requestId);
        assertThat(ledger.finish(run.owner(), at -> List.of(failed(requestId, at)))).isTrue();
        assertThat(outbox.depth(ALIAS)).as("the run's outcome").isEqualTo(1);

        assertThat(ledger.acceptIfAbsent(request, ALIAS, 2)).as("once it has an outcome").isFalse();
        assertThat(outbox.depth(ALIAS)).as("its outcome is not in the outbox again").isEqualTo(1);
        assertThat(ledger.hasWaiting(ALIAS, 2)).as("nor is it waiting again").isFalse();
        assertThat(ledger.accept(request, ALIAS)).as("whereas accept publishes it again")
                .isEqualTo(RunLedger.Acceptance.REPUBLISHED);
        assertThat(outbox.depth(ALIAS)).isEqualTo(2);
    }

    private static ReindexCompleted failed(String requestId, Instant at) {
        return ReindexCompleted.failed(requestId, ALIAS, "companies-ledger", at, at, "a test");
    }
}
