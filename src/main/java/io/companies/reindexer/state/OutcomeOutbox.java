package io.companies.reindexer.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.companies.reindexer.messaging.ReindexCompleted;

/**
 * The outbox of outcomes ({@code reindexer.outcome_outbox}): an outcome is added in the same transaction as the
 * decision it reports, and deleted once Kafka has it, so an outcome the broker did not take is published later.
 */
@ApplicationScoped
public class OutcomeOutbox {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ObjectMapper json;

    /** Puts an outcome that no run decided (REJECTED, SKIPPED) in the outbox. */
    public void record(ReindexCompleted outcome) {
        Transactions.inTransaction(dataSource, connection -> {
            insert(connection, outcome.requestId(), json.writeValueAsString(outcome));
            return null;
        });
    }

    /**
     * Hands every outcome in the outbox to {@code publish}, oldest first, deleting each one it returned from. Stops at
     * the first that throws, which stays for a later call. Rows another caller is publishing are skipped.
     */
    public void drain(Consumer<ReindexCompleted> publish) {
        Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "select id, outcome from reindexer.outcome_outbox order by id limit 1 for update skip locked");
                    PreparedStatement delete = connection.prepareStatement("delete from reindexer.outcome_outbox where id = ?")) {
                while (true) {
                    try (ResultSet rows = select.executeQuery()) {
                        if (!rows.next()) {
                            return null;
                        }
                        publish.accept(json.readValue(rows.getString(2), ReindexCompleted.class));
                        delete.setLong(1, rows.getLong(1));
                        delete.executeUpdate();
                    }
                    // One row per transaction: an outcome published is never published again after a later failure.
                    connection.commit();
                }
            }
        });
    }

    /** Adds an outcome to the outbox, in the caller's transaction. */
    static void insert(Connection connection, String requestId, String outcome) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into reindexer.outcome_outbox (request_id, outcome) values (?, ?::jsonb)")) {
            insert.setString(1, requestId);
            insert.setString(2, outcome);
            insert.executeUpdate();
        }
    }
}
