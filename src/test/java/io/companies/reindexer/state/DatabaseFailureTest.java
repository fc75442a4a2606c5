package io.companies.reindexer.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import javax.transaction.xa.XAException;

import jakarta.transaction.RollbackException;

import io.quarkus.narayana.jta.QuarkusTransactionException;

import org.junit.jupiter.api.Test;

/** One rule for what a database failure means: an outage that passes, or a value PostgreSQL refuses. */
class DatabaseFailureTest {

    @Test
    void aCommitThatFailedBecauseTheConnectionWentAwayIsAnOutage() {
        // How Narayana reports it: the resource's failure is suppressed on the RollbackException, not its cause.
        assertThat(DatabaseFailure.of(failedCommit(new SQLException("terminating connection", "57P01"))))
                .isEqualTo(DatabaseFailure.OUTAGE);
    }

    @Test
    void aCommitThatFailedOnBadDataFailsTheSlice() {
        assertThat(DatabaseFailure.of(failedCommit(new SQLException("invalid input", "22P05"))))
                .isEqualTo(DatabaseFailure.BAD_DATA);
    }

    @Test
    void aFailureWithoutADatabaseErrorFailsTheSlice() {
        assertThat(DatabaseFailure.of(new IllegalStateException("a bug"))).isEqualTo(DatabaseFailure.NONE);
    }

    @Test
    void aReadThatLostItsConnectionIsAnOutage() {
        assertThat(DatabaseFailure.of(new IllegalStateException("read failed",
                new SQLException("An I/O error occurred while sending to the backend", "08006"))))
                .isEqualTo(DatabaseFailure.OUTAGE);
    }

    @Test
    void aLedgerFailureIsBadDataOnlyWhenPostgreSqlRefusedAValue() {
        assertThat(new RunLedgerException("Failed to record request", new SQLException("invalid byte", "22021"))
                .isBadData()).isTrue();
        assertThat(DatabaseFailure.of(new RunLedgerException("Failed to take a connection", new RuntimeException(
                "pool exhausted")))).isEqualTo(DatabaseFailure.OUTAGE);
    }

    private static RuntimeException failedCommit(SQLException resourceFailure) {
        XAException xa = new XAException(XAException.XAER_RMFAIL);
        xa.initCause(resourceFailure);
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        return new QuarkusTransactionException(rollback);
    }
}
