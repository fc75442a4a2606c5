package io.companies.reindexer.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import io.companies.reindexer.state.SliceLedger.Bounds;
import io.companies.reindexer.state.SliceLedger.Claim;
import io.companies.reindexer.state.SliceLedger.Status;
import io.companies.reindexer.testing.FeatureFlagOff;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;

/**
 * The claims on slices against the real PostgreSQL: two instances never hold the same slice, a lapsed claim is taken
 * by another instance and its first holder can no longer mark it done, a pass counts each slice once, and only the
 * instances of the run's alias claim its slices. With the feature flag off, so that the service's own slice workers
 * claim nothing.
 */
@QuarkusTest
@TestProfile(FeatureFlagOff.class)
class SliceLedgerTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String ALIAS = "slice-ledger-test";
    private static final String BUILD = "this-build";

    @Inject
    SliceLedger slices;

    @Inject
    AgroalDataSource dataSource;

    private long runId;

    @BeforeEach
    void plannedRun() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into reindexer.reindex_run (alias, index_name, state, started_at, instance, definition)
                        values (?, 'companies-slices', 'RUNNING', now(), 'leader', ?) returning id""")) {
            insert.setString(1, ALIAS);
            insert.setString(2, BUILD);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                runId = row.getLong(1);
            }
        }
        try (Connection connection = dataSource.getConnection(); Statement delete = connection.createStatement()) {
            // Slices an earlier test left unfinished would be claimed first.
            delete.execute("delete from reindexer.run_slice where run_id <> " + runId);
        }
        slices.plan(runId, List.of(new Bounds(Integer.MIN_VALUE, 10), new Bounds(10, 20),
                new Bounds(20, Integer.MAX_VALUE)));
    }

    @AfterEach
    void forgetRun() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement delete = connection.createStatement()) {
            delete.execute("delete from reindexer.reindex_run where id = " + runId);
        }
    }

    @Test
    void twoInstancesClaimDifferentSlicesInOrderAndAPassEndsWhenEveryOneIsDone() {
        Claim a = slices.claim(ALIAS, BUILD, "a", LEASE).orElseThrow();
        Claim b = slices.claim(ALIAS, BUILD, "b", LEASE).orElseThrow();
        Claim c = slices.claim(ALIAS, BUILD, "c", LEASE).orElseThrow();

        assertThat(List.of(a.slice(), b.slice(), c.slice())).containsExactly(0, 1, 2);
        assertThat(b.bounds()).isEqualTo(new Bounds(10, 20));
        assertThat(a.pass()).isZero();
        assertThat(a.index()).isEqualTo("companies-slices");
        assertThat(a.fingerprints()).isNull();
        assertThat(slices.claim(ALIAS, BUILD, "d", LEASE)).as("every slice is held").isEmpty();

        assertThat(slices.complete(a, "a", 2, 0, 100, new byte[24])).isTrue();
        assertThat(slices.complete(b, "b", 3, 0, 100, new byte[36])).isTrue();
        assertThat(slices.status(runId).finished()).isFalse();
        assertThat(slices.complete(c, "c", 1, 0, 100, new byte[12])).isTrue();
        assertThat(slices.status(runId)).isEqualTo(new Status(3, 3, 0, 6, 0, 300, 0, null));

        slices.openPass(leader(), 1);
        Claim again = slices.claim(ALIAS, BUILD, "a", LEASE).orElseThrow();
        assertThat(again.pass()).isEqualTo(1);
        assertThat(again.attempt()).as("attempts count per pass").isEqualTo(1);
        assertThat(again.fingerprints()).as("what the load left").hasSize(24);
        assertThat(slices.status(runId).documents()).as("only the slices done in this pass count").isZero();

        assertThat(slices.complete(again, "a", 2, 0, 0, null)).as("a pass that changed no fingerprint").isTrue();
        slices.openPass(leader(), 2);
        assertThat(slices.claim(ALIAS, BUILD, "a", LEASE).orElseThrow().fingerprints()).as("kept, not rewritten")
                .hasSize(24);
    }

    @Test
    void aLapsedClaimGoesToAnotherInstanceAndItsFirstHolderCannotMarkItDone() throws SQLException {
        Claim first = slices.claim(ALIAS, BUILD, "dead", LEASE).orElseThrow();
        assertThat(slices.renew(first, "dead", LEASE, 7)).isTrue();
        assertThat(slices.status(runId).pages()).as("the pages read, as of the renewal").isEqualTo(7);
        lapse(first);

        Claim taken = slices.claim(ALIAS, BUILD, "alive", LEASE).orElseThrow();
        assertThat(taken.slice()).as("the lapsed slice first").isEqualTo(first.slice());
        assertThat(taken.attempt()).isEqualTo(2);
        assertThat(taken.failedAttempts()).as("a lapsed claim failed").isEqualTo(1);
        assertThat(slices.status(runId).pages()).as("a new claim starts at page 0").isZero();
        assertThat(slices.renew(first, "dead", LEASE, 8)).isFalse();
        assertThat(slices.complete(first, "dead", 99, 0, 0, new byte[0])).as("the lapsed holder's result").isFalse();
        assertThat(slices.complete(taken, "alive", 2, 0, 0, new byte[24])).isTrue();
        assertThat(slices.complete(taken, "alive", 2, 0, 0, new byte[24])).as("done once").isFalse();
        assertThat(slices.status(runId).documents()).isEqualTo(2);
    }

    @Test
    void aSliceHandedBackIsTakenAtOnceAndAFailedOneIsNotTakenAgain() {
        Claim stopping = slices.claim(ALIAS, BUILD, "stopping", LEASE).orElseThrow();
        assertThat(slices.handBack(stopping, "stopping")).isTrue();
        assertThat(slices.handBack(stopping, "stopping")).as("handed back once").isFalse();
        Optional<Claim> next = slices.claim(ALIAS, BUILD, "other", LEASE);
        assertThat(next).map(Claim::slice).contains(stopping.slice());
        assertThat(next.orElseThrow().attempt()).isEqualTo(2);
        assertThat(next.orElseThrow().failedAttempts()).as("a hand-back is not a failed attempt").isZero();

        slices.fail(next.orElseThrow(), "other", "slice 0 failed: a document the engine refused");
        assertThat(slices.status(runId).error()).isEqualTo("slice 0 failed: a document the engine refused");
        assertThat(slices.claim(ALIAS, BUILD, "third", LEASE)).map(Claim::slice).contains(1);
    }

    @Test
    void theNextPassGivesAFailedSliceAnotherChance() {
        Claim failed = slices.claim(ALIAS, BUILD, "a", LEASE).orElseThrow();
        slices.fail(failed, "a", "slice 0 failed: the engine refused writes");

        slices.openPass(leader(), 1);
        assertThat(slices.status(runId).error()).as("the repair after a swap tries the catch-up again").isNull();
        assertThat(slices.claim(ALIAS, BUILD, "a", LEASE)).map(Claim::slice).contains(failed.slice());
    }

    @Test
    void theSlicesOfAFailedRunAreNeitherRenewedNorClaimedAndTheirClaimsCanBeWaitedFor() {
        Claim held = slices.claim(ALIAS, BUILD, "a", LEASE).orElseThrow();
        assertThat(slices.liveClaims(runId)).isEqualTo(1);

        assertThat(slices.stop(leader(), "Run failed: its slices are stopped")).isTrue();

        assertThat(slices.renew(held, "a", LEASE, 1)).as("its claimant stops at its next check").isFalse();
        assertThat(slices.claim(ALIAS, BUILD, "b", LEASE)).isEmpty();
        assertThat(slices.liveClaims(runId)).as("held until released or lapsed").isEqualTo(1);
        slices.release(held, "a");
        assertThat(slices.liveClaims(runId)).isZero();
    }

    @Test
    void aLeaderWhoseRunWasTakenOverNeitherOpensNorStopsItsSlices() throws SQLException {
        Claim held = slices.claim(ALIAS, BUILD, "a", LEASE).orElseThrow();
        try (Connection connection = dataSource.getConnection(); Statement takeOver = connection.createStatement()) {
            takeOver.execute("update reindexer.reindex_run set instance = 'successor', generation = generation + 1"
                    + " where id = " + runId);
        }

        assertThat(slices.stop(leader(), "Run failed: its slices are stopped")).as("deposed").isFalse();
        assertThat(slices.openPass(leader(), 1)).as("deposed").isFalse();
        assertThat(slices.status(runId).error()).isNull();
        assertThat(slices.renew(held, "a", LEASE, 1)).as("the successor's run goes on").isTrue();
        assertThat(slices.openPass(new RunOwner(runId, "successor", 2), 1)).isTrue();
        assertThat(slices.status(runId).pass()).isEqualTo(1);
    }

    @Test
    void anInstanceClaimsOnlyTheSlicesOfItsOwnAliasAndBuild() {
        assertThat(slices.claim("companies-elsewhere", BUILD, "other-deployment", LEASE)).isEmpty();
        assertThat(slices.claim(ALIAS, "another-build", "rolling-deploy", LEASE)).isEmpty();
        assertThat(slices.claim(ALIAS, BUILD, "a", LEASE)).map(Claim::slice).contains(0);
    }

    /** The run's leader, as the test's run was started: generation 1. */
    private RunOwner leader() {
        return new RunOwner(runId, "leader", 1);
    }

    private void lapse(Claim claim) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement("""
                        update reindexer.run_slice set claimed_until = now() - interval '1 s'
                        where run_id = ? and slice = ?""")) {
            update.setLong(1, claim.runId());
            update.setInt(2, claim.slice());
            update.executeUpdate();
        }
    }
}
