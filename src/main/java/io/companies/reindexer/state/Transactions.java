package io.companies.reindexer.state;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** Runs a unit of work on one pooled connection in one transaction; any failure rolls it back. */
final class Transactions {

    interface Work<T> {
        T run(Connection connection) throws SQLException, IOException;
    }

    private Transactions() {
    }

    /** @throws RunLedgerException when the database fails or is unavailable */
    static <T> T inTransaction(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new RunLedgerException("The run ledger is unavailable: " + e.getMessage(), e);
        }
    }
}
