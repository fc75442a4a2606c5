package io.companies.reindexer.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import javax.transaction.xa.XAException;

import jakarta.transaction.RollbackException;

import io.quarkus.narayana.jta.QuarkusTransactionException;

import org.junit.jupiter.api.Test;

/** Which failures of a slice's pass are the database's passing outages, to be retried, and which fail the slice. */
class SliceWorkerTest {

    @Test
    void aCommitThatFailedBecauseTheConnectionWentAwayIsAnOutage() {
        // How Narayana reports it: the resource's failure is suppressed on the RollbackException, not its cause.
        assertThat(SliceWorker.isDatabaseOutage(failedCommit(new SQLException("terminating connection", "57P01"))))
                .isTrue();
    }

    @Test
    void aCommitThatFailedOnBadDataFailsTheSlice() {
        assertThat(SliceWorker.isDatabaseOutage(failedCommit(new SQLException("invalid input", "22P05")))).isFalse();
    }

    @Test
    void aFailureWithoutADatabaseErrorFailsTheSlice() {
        assertThat(SliceWorker.isDatabaseOutage(new IllegalStateException("a bug"))).isFalse();
    }

    @Test
    void aReadThatLostItsConnectionIsAnOutage() {
        assertThat(SliceWorker.isDatabaseOutage(new IllegalStateException("read failed",
                new SQLException("An I/O error occurred while sending to the backend", "08006")))).isTrue();
    }

    private static RuntimeException failedCommit(SQLException resourceFailure) {
        XAException xa = new XAException(XAException.XAER_RMFAIL);
        xa.initCause(resourceFailure);
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        return new QuarkusTransactionException(rollback);
    }
}
