package io.companies.reindexer.state;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexCompleted;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The outbox of outcomes ({@code reindexer.outcome_outbox}): an outcome is added in the same transaction as the
 * decision it reports, claimed by one instance while it publishes it, and deleted once Kafka has it, so an outcome the
 * broker did not take is published later, and never by two instances at once.
 */
@ApplicationScoped
public class OutcomeOutbox {

    private static final Sql ADD = Sql.of(
            "insert into reindexer.outcome_outbox (request_id, outcome) values (:requestId, :outcome::jsonb)");
    // Skips the rows another instance is claiming right now; its claim is a lease, so a dead instance's expire.
    private static final Sql CLAIM = Sql.of("""
            update reindexer.outcome_outbox set claimed_until = now() + :leaseMillis * interval '1 millisecond'
            where id in (select id from reindexer.outcome_outbox
                where claimed_until is null or claimed_until < now() order by id limit :limit for update skip locked)
            returning id, request_id, outcome""");
    private static final Sql DELETE = Sql.of("delete from reindexer.outcome_outbox where id = :id");
    private static final Sql RELEASE = Sql.of("update reindexer.outcome_outbox set claimed_until = null where id = :id");

    @Inject
    Database database;

    @Inject
    ObjectMapper json;

    /** An outcome waiting to be published: its row and the outcome, or null when the row cannot be read as one. */
    public record Pending(long id, String requestId, ReindexCompleted outcome) {
    }

    /** Puts an outcome that no run decided (REJECTED, SKIPPED) in the outbox. */
    public void record(ReindexCompleted outcome) {
        database.inTransaction("record the outcome of request " + outcome.requestId(), session -> {
            insert(session, outcome.requestId(), json.writeValueAsString(outcome));
            return null;
        });
    }

    /**
     * Claims up to {@code limit} outcomes nobody is publishing, oldest first, for {@code lease}: until then no other
     * call claims them, unless they are {@link #release released}.
     */
    public List<Pending> claim(int limit, Duration lease) {
        List<Pending> claimed = database.inTransaction("claim outcomes to publish", session -> session.list(CLAIM,
                row -> new Pending(row.longValue("id"), row.string("request_id"), read(row.string("outcome"))),
                "leaseMillis", lease.toMillis(), "limit", limit));
        return claimed.stream().sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
    }

    /** Deletes a published outcome. */
    public void delete(long id) {
        database.inTransaction("delete a published outcome", session -> session.update(DELETE, "id", id));
    }

    /** Ends the claim on an outcome that was not published, so that the next claim takes it again. */
    public void release(long id) {
        database.inTransaction("release an unpublished outcome", session -> session.update(RELEASE, "id", id));
    }

    private ReindexCompleted read(String outcome) {
        try {
            return json.readValue(outcome, ReindexCompleted.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** Adds an outcome to the outbox, in the caller's transaction. */
    static void insert(Database.Session session, String requestId, String outcome) throws SQLException {
        session.update(ADD, "requestId", requestId, "outcome", outcome);
    }
}
