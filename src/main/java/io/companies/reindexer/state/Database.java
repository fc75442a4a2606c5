package io.companies.reindexer.state;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;

import io.agroal.api.AgroalDataSource;

/**
 * Runs units of work on the service's own tables, each in a transaction of its own ({@link QuarkusTransaction}, the
 * mechanism the source's reads use too): it commits when the work returns, and rolls back when it throws.
 */
@ApplicationScoped
class Database {

    @Inject
    AgroalDataSource dataSource;

    /** A unit of work, on the statements of one transaction. */
    interface Work<T> {
        T run(Session session) throws SQLException, IOException;
    }

    /** @throws RunLedgerException when the database fails or is unavailable: nothing of the work is kept */
    <T> T inTransaction(String purpose, Work<T> work) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                // Taken inside the transaction, the connection is enlisted in it: commit and rollback are the
                // transaction's.
                try (Connection connection = dataSource.getConnection()) {
                    return work.run(new Session(connection));
                }
            });
        } catch (QuarkusTransactionException e) {
            // A checked exception of the work, or a failed commit.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RunLedgerException("Failed to " + purpose + ": " + cause.getMessage(), cause);
        }
    }

    /** The statements of one transaction. */
    static final class Session {

        // The driver streams a result only with a fetch size, inside a transaction.
        private static final int FETCH_SIZE = 100;

        private final Connection connection;

        private Session(Connection connection) {
            this.connection = connection;
        }

        /** @return the number of rows the statement changed */
        int update(Sql sql, Object... namesAndValues) throws SQLException {
            try (PreparedStatement statement = sql.prepare(connection, namesAndValues)) {
                return statement.executeUpdate();
            }
        }

        /** Every row the statement returns (a query, or an update with {@code returning}), mapped in order. */
        <T> List<T> list(Sql sql, Row.Mapper<T> mapper, Object... namesAndValues) throws SQLException, IOException {
            List<T> values = new ArrayList<>();
            each(sql, row -> values.add(mapper.map(row)), namesAndValues);
            return values;
        }

        /** Hands the rows to {@code reader} one by one, as they come: a few rows in memory at a time. */
        void each(Sql sql, Row.Reader reader, Object... namesAndValues) throws SQLException, IOException {
            try (PreparedStatement statement = sql.prepare(connection, namesAndValues)) {
                statement.setFetchSize(FETCH_SIZE);
                try (ResultSet rows = statement.executeQuery()) {
                    Row row = new Row(rows);
                    while (rows.next()) {
                        reader.read(row);
                    }
                }
            }
        }

        <T> Optional<T> first(Sql sql, Row.Mapper<T> mapper, Object... namesAndValues)
                throws SQLException, IOException {
            List<T> values = list(sql, mapper, namesAndValues);
            return values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.getFirst());
        }
    }
}
