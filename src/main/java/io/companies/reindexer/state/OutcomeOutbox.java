package io.companies.reindexer.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.companies.reindexer.contract.ReindexCompleted;

/**
 * The outbox of outcomes ({@code reindexer.outcome_outbox}): an outcome is added in the same transaction as the
 * decision it reports, claimed by one instance while it publishes it, and deleted once Kafka has it, so an outcome the
 * broker did not take is published later, and never by two instances at once.
 */
@ApplicationScoped
public class OutcomeOutbox {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ObjectMapper json;

    /** An outcome waiting to be published: its row and the outcome, or null when the row cannot be read as one. */
    public record Pending(long id, String requestId, ReindexCompleted outcome) {
    }

    /** Puts an outcome that no run decided (REJECTED, SKIPPED) in the outbox. */
    public void record(ReindexCompleted outcome) {
        Transactions.inTransaction(dataSource, connection -> {
            insert(connection, outcome.requestId(), json.writeValueAsString(outcome));
            return null;
        });
    }

    /**
     * Claims up to {@code limit} outcomes nobody is publishing, oldest first, for {@code lease}: until then no other
     * call claims them, unless they are {@link #release released}.
     */
    public List<Pending> claim(int limit, Duration lease) {
        return Transactions.inTransaction(dataSource, connection -> {
            List<Pending> claimed = new ArrayList<>();
            try (PreparedStatement update = connection.prepareStatement("""
                    update reindexer.outcome_outbox set claimed_until = now() + ? * interval '1 millisecond'
                    where id in (select id from reindexer.outcome_outbox
                        where claimed_until is null or claimed_until < now() order by id limit ? for update skip locked)
                    returning id, request_id, outcome""")) {
                update.setLong(1, lease.toMillis());
                update.setInt(2, limit);
                try (ResultSet rows = update.executeQuery()) {
                    while (rows.next()) {
                        claimed.add(new Pending(rows.getLong(1), rows.getString(2), read(rows.getString(3))));
                    }
                }
            }
            claimed.sort((a, b) -> Long.compare(a.id(), b.id()));
            return claimed;
        });
    }

    /** Deletes a published outcome. */
    public void delete(long id) {
        update("delete from reindexer.outcome_outbox where id = ?", id);
    }

    /** Ends the claim on an outcome that was not published, so that the next claim takes it again. */
    public void release(long id) {
        update("update reindexer.outcome_outbox set claimed_until = null where id = ?", id);
    }

    private void update(String sql, long id) {
        Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, id);
                statement.executeUpdate();
            }
            return null;
        });
    }

    private ReindexCompleted read(String outcome) {
        try {
            return json.readValue(outcome, ReindexCompleted.class);
        } catch (JsonProcessingException e) {
            return null;
        }
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
