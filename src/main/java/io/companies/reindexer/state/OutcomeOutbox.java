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
 * decision it reports, claimed by one instance of the deployment that decided it (the one serving its alias) while it
 * publishes it, and deleted once Kafka has it, so an outcome the broker did not take is published later, never by two
 * instances at once, and never to another deployment's topic.
 */
@ApplicationScoped
public class OutcomeOutbox {

    private static final Sql ADD = Sql.of("""
            insert into reindexer.outcome_outbox (alias, request_id, outcome)
            values (:alias, :requestId, :outcome::jsonb)""");
    // Skips the rows another instance is claiming right now; its claim is a lease, so a dead instance's expire. A row
    // without an alias was recorded before outcomes had one (V8).
    private static final Sql CLAIM = Sql.of("""
            update reindexer.outcome_outbox set claimed_until = now() + :leaseMillis * interval '1 millisecond'
            where id in (select id from reindexer.outcome_outbox
                where (alias = :alias or alias is null) and (claimed_until is null or claimed_until < now())
                order by id limit :limit for update skip locked)
            returning id, request_id, outcome, (select q.traceparent from reindexer.reindex_request q
                where q.request_id = outcome_outbox.request_id) traceparent""");
    private static final Sql DELETE = Sql.of("delete from reindexer.outcome_outbox where id = :id");
    private static final Sql DEPTH = Sql.of("""
            select count(*) depth from reindexer.outcome_outbox where alias = :alias or alias is null""");
    private static final Sql RELEASE = Sql.of("update reindexer.outcome_outbox set claimed_until = null where id = :id");

    @Inject
    Database database;

    @Inject
    ObjectMapper json;

    /**
     * An outcome waiting to be published: its row and the outcome, or null when the row cannot be read as one; the
     * trace its request started, or null (a request refused before it was recorded, or tracing off).
     */
    public record Pending(long id, String requestId, ReindexCompleted outcome, String traceparent) {
    }

    /**
     * Puts an outcome that no run decided (REJECTED, SKIPPED) in the outbox.
     *
     * @param alias the alias the deciding deployment serves: a rejected request may name another one
     */
    public void record(String alias, ReindexCompleted outcome) {
        database.inTransaction("record the outcome of request " + outcome.requestId(), session -> {
            insert(session, alias, outcome.requestId(), json.writeValueAsString(outcome));
            return null;
        });
    }

    /**
     * Claims up to {@code limit} outcomes of {@code alias} nobody is publishing, oldest first, for {@code lease}: until
     * then no other call claims them, unless they are {@link #release released}.
     */
    public List<Pending> claim(String alias, int limit, Duration lease) {
        List<Pending> claimed = database.inTransaction("claim outcomes to publish", session -> session.list(CLAIM,
                row -> new Pending(row.longValue("id"), row.string("request_id"), read(row.string("outcome")),
                        row.string("traceparent")),
                "alias", alias, "leaseMillis", lease.toMillis(), "limit", limit));
        return claimed.stream().sorted((a, b) -> Long.compare(a.id(), b.id())).toList();
    }

    /** How many outcomes of {@code alias} wait to be published, claimed or not. */
    public long depth(String alias) {
        return database.inTransaction("count the outcomes to publish", session -> session.first(DEPTH,
                row -> row.longValue("depth"), "alias", alias)).orElse(0L);
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
    static void insert(Database.Session session, String alias, String requestId, String outcome)
            throws SQLException {
        session.update(ADD, "alias", alias, "requestId", requestId, "outcome", outcome);
    }
}
