package io.companies.reindexer.state;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.contract.ReindexRequested;

/**
 * The service's durable memory, in its own schema ({@code reindexer}, see {@code db/migration}): the requests it
 * accepted and the runs that served them. Every decision is written in one transaction with its outcome and the
 * outcome's copy in the {@link OutcomeOutbox}, so a crash never loses one without the other.
 */
@ApplicationScoped
public class RunLedger {

    // A request waits from its acceptance until a run claims it or, with the flag off, it is answered without one.
    private static final String WAITING = "alias = ? and run_id is null and outcome is null";

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ObjectMapper json;

    /** What {@link #accept} made of a request. */
    public enum Acceptance {
        /** Recorded as waiting for a run. */
        NEW,
        /** The request id is already waiting or running: it gets its outcome from that run. */
        PENDING,
        /** The request id already had an outcome: that outcome is in the outbox again, unchanged. */
        REPUBLISHED
    }

    /** Byte chunks written one by one, so that none of them needs to be in memory with the others. */
    public interface Chunks {
        void each(Consumer<byte[]> chunk) throws IOException;
    }

    /** Takes byte chunks one by one. */
    public interface ChunkReader {
        void read(byte[] chunk) throws IOException;
    }

    /** A run that took every waiting request of its alias. */
    public record ClaimedRun(long id, String alias, String index, Instant startedAt, List<String> requestIds) {
    }

    /** A run found {@code RUNNING} or {@code SWAPPING} while nobody runs: a crash interrupted it. */
    public record InterruptedRun(long id, String index, boolean swapping, Long documents, List<String> previousIndices,
            List<String> deletedIndices, Instant startedAt, String instance, List<String> requestIds) {
    }

    /** Records a request durably, once per request id. */
    public Acceptance accept(ReindexRequested request, String alias) {
        return Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into reindexer.reindex_request (request_id, alias, requested_by, requested_at, received_at)
                    values (?, ?, ?, ?, now()) on conflict (request_id) do nothing""")) {
                insert.setString(1, request.requestId());
                insert.setString(2, alias);
                insert.setString(3, request.requestedBy());
                insert.setString(4, request.requestedAt());
                if (insert.executeUpdate() == 1) {
                    return Acceptance.NEW;
                }
            }
            String earlier = queryString(connection, "select outcome from reindexer.reindex_request where request_id = ?",
                    request.requestId());
            if (earlier == null) {
                return Acceptance.PENDING;
            }
            OutcomeOutbox.insert(connection, request.requestId(), earlier);
            return Acceptance.REPUBLISHED;
        });
    }

    public boolean hasWaiting(String alias) {
        return Transactions.inTransaction(dataSource, connection -> queryString(connection,
                "select request_id from reindexer.reindex_request where " + WAITING + " limit 1", alias) != null);
    }

    /**
     * Starts a run of {@code index} that serves every request of {@code alias} waiting now. Call it only while
     * holding the alias's {@link AliasLock}.
     *
     * @return the run, or empty when no request is waiting
     */
    public Optional<ClaimedRun> claim(String alias, String index, String instance) {
        return Transactions.inTransaction(dataSource, connection -> {
            List<String> requestIds = waitingIds(connection, alias);
            if (requestIds.isEmpty()) {
                return Optional.empty();
            }
            Instant startedAt = Instant.now();
            long runId;
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into reindexer.reindex_run (alias, index_name, state, started_at, instance)
                    values (?, ?, 'RUNNING', ?, ?) returning id""")) {
                insert.setString(1, alias);
                insert.setString(2, index);
                insert.setObject(3, OffsetDateTime.ofInstant(startedAt, ZoneOffset.UTC));
                insert.setString(4, instance);
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    runId = rows.getLong(1);
                }
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "update reindexer.reindex_request set run_id = ? where request_id = any (?)")) {
                update.setLong(1, runId);
                update.setArray(2, connection.createArrayOf("varchar", requestIds.toArray()));
                update.executeUpdate();
            }
            return Optional.of(new ClaimedRun(runId, alias, index, startedAt, List.copyOf(requestIds)));
        });
    }

    /**
     * Gives every request of {@code alias} still waiting the outcome {@code answer} makes for its id, without a run,
     * and puts those outcomes in the outbox.
     *
     * @return how many requests were answered
     */
    public int answerWaiting(String alias, Function<String, ReindexCompleted> answer) {
        return Transactions.inTransaction(dataSource, connection -> {
            List<String> requestIds = waitingIds(connection, alias);
            for (String requestId : requestIds) {
                decide(connection, answer.apply(requestId));
            }
            return requestIds.size();
        });
    }

    /**
     * Records the plan of the alias swap just before it is sent, with what the index holds: after a crash, the repair
     * reads the alias back to learn whether the swap happened, and catches up from these fingerprints.
     *
     * @param fingerprints what the index holds, in chunks
     * @throws IllegalStateException when the run is no longer running under {@code instance}: another instance has
     *         taken it over
     */
    public void swapping(long runId, String instance, long documents, List<String> previousIndices,
            List<String> deletedIndices, Chunks fingerprints) {
        Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    update reindexer.reindex_run set state = 'SWAPPING', documents = ?, previous_indices = ?::jsonb,
                    deleted_indices = ?::jsonb where id = ? and state = 'RUNNING' and instance = ?""")) {
                update.setLong(1, documents);
                update.setString(2, toJson(previousIndices));
                update.setString(3, toJson(deletedIndices));
                update.setLong(4, runId);
                update.setString(5, instance);
                if (update.executeUpdate() != 1) {
                    throw new IllegalStateException("Run " + runId + " is no longer running under " + instance
                            + ": another instance has taken it over");
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into reindexer.run_fingerprints (run_id, chunk, companies) values (?, ?, ?)")) {
                int[] chunk = { 0 };
                fingerprints.each(bytes -> {
                    try {
                        insert.setLong(1, runId);
                        insert.setInt(2, chunk[0]++);
                        insert.setBytes(3, bytes);
                        insert.executeUpdate();
                    } catch (SQLException e) {
                        throw new RunLedgerException("Failed to record the fingerprints of run " + runId, e);
                    }
                });
            }
            return null;
        });
    }

    /** Hands the fingerprints recorded with the swap of run {@code runId} to {@code chunk}, in id order. */
    public void fingerprints(long runId, ChunkReader chunk) {
        Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "select companies from reindexer.run_fingerprints where run_id = ? order by chunk")) {
                select.setLong(1, runId);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        chunk.read(rows.getBytes(1));
                    }
                }
            }
            return null;
        });
    }

    /** Whether a run of {@code alias} is recorded as running or swapping: live elsewhere, or interrupted. */
    public boolean hasUnfinished(String alias) {
        return Transactions.inTransaction(dataSource, connection -> queryString(connection,
                "select alias from reindexer.reindex_run where alias = ? and state in ('RUNNING', 'SWAPPING') limit 1",
                alias) != null);
    }

    /**
     * Ends a run with the outcome of each request it served, and puts those outcomes in the outbox; unless the run has
     * ended already, decided by another instance that took it over.
     *
     * @return whether this call ended the run
     */
    public boolean finish(long runId, List<ReindexCompleted> outcomes) {
        ReindexCompleted first = outcomes.getFirst();
        return Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    update reindexer.reindex_run set state = ?, documents = ?, previous_indices = ?::jsonb,
                    deleted_indices = ?::jsonb, completed_at = ?, error = ?
                    where id = ? and state in ('RUNNING', 'SWAPPING')""")) {
                update.setString(1, first.status().name());
                update.setObject(2, first.documents());
                update.setString(3, toJson(first.previousIndices()));
                update.setString(4, toJson(first.deletedIndices()));
                update.setObject(5, OffsetDateTime.ofInstant(first.completedAt(), ZoneOffset.UTC));
                update.setString(6, first.error());
                update.setLong(7, runId);
                if (update.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "delete from reindexer.run_fingerprints where run_id = ?")) {
                delete.setLong(1, runId);
                delete.executeUpdate();
            }
            for (ReindexCompleted outcome : outcomes) {
                decide(connection, outcome);
            }
            return true;
        });
    }

    /** The runs of {@code alias} that never finished. Call it only while holding the alias's {@link AliasLock}. */
    public List<InterruptedRun> interrupted(String alias) {
        return Transactions.inTransaction(dataSource, connection -> {
            List<InterruptedRun> runs = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    select r.id, r.index_name, r.state, r.documents, r.previous_indices, r.deleted_indices,
                    r.started_at, r.instance,
                    array(select q.request_id from reindexer.reindex_request q where q.run_id = r.id)
                    from reindexer.reindex_run r where r.alias = ? and r.state in ('RUNNING', 'SWAPPING') order by r.id""")) {
                select.setString(1, alias);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        runs.add(new InterruptedRun(rows.getLong(1), rows.getString(2),
                                rows.getString(3).equals("SWAPPING"), (Long) rows.getObject(4), fromJson(rows.getString(5)),
                                fromJson(rows.getString(6)), rows.getObject(7, OffsetDateTime.class).toInstant(),
                                rows.getString(8), List.of((String[]) rows.getArray(9).getArray())));
                    }
                }
            }
            return runs;
        });
    }

    /**
     * Takes the lock that allows one run of {@code alias} at a time, across every instance of the service: a
     * PostgreSQL advisory lock, held by a connection of its own for as long as the run lasts, and released by the
     * database if this process dies.
     *
     * @return the lock, or empty when another run holds it
     */
    public Optional<AliasLock> tryLock(String alias) {
        try {
            return AliasLock.tryTake(dataSource.getConnection(), alias);
        } catch (SQLException e) {
            throw new RunLedgerException("Failed to take the run lock of alias " + alias + ": " + e.getMessage(), e);
        }
    }

    /** Records the outcome of a request and puts a copy in the outbox, in the caller's transaction. */
    private void decide(Connection connection, ReindexCompleted outcome) throws SQLException, JsonProcessingException {
        String value = toJson(outcome);
        try (PreparedStatement update = connection.prepareStatement(
                "update reindexer.reindex_request set outcome = ?::jsonb where request_id = ?")) {
            update.setString(1, value);
            update.setString(2, outcome.requestId());
            update.executeUpdate();
        }
        OutcomeOutbox.insert(connection, outcome.requestId(), value);
    }

    /** The requests of {@code alias} waiting for a run, oldest first, locked until the transaction ends. */
    private static List<String> waitingIds(Connection connection, String alias) throws SQLException {
        List<String> requestIds = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "select request_id from reindexer.reindex_request where " + WAITING + " order by received_at for update")) {
            select.setString(1, alias);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    requestIds.add(rows.getString(1));
                }
            }
        }
        return requestIds;
    }

    private static String queryString(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private String toJson(Object value) throws JsonProcessingException {
        return json.writeValueAsString(value);
    }

    private List<String> fromJson(String value) throws JsonProcessingException {
        return value == null ? List.of() : json.readValue(value, STRINGS);
    }
}
