package io.companies.reindexer.state;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexCompleted;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the runs and requests {@link RunLedger} recorded, for the HTTP API. */
@ApplicationScoped
public class RunHistory {

    /** Most request ids a {@link RunRecord} lists: a run serves every request that waited, however many. */
    public static final int REQUEST_IDS_SHOWN = 100;

    // The progress columns of a run r, shown while it runs.
    private static final String PROGRESS = """
            case when r.state in ('RUNNING', 'SWAPPING') then r.progress_updated_at end progress_updated_at,
            r.stage, r.progress_documents, r.progress_expected, r.progress_rate, r.progress_eta_seconds""";

    private static final Sql RECENT_RUNS = Sql.of("""
            select r.id, r.alias, r.index_name, r.state, r.documents, r.started_at, r.completed_at, r.error, r.instance,
            %s,
            array(select q.request_id from reindexer.reindex_request q where q.run_id = r.id
                order by q.received_at limit :shown) request_ids,
            (select count(*) from reindexer.reindex_request q where q.run_id = r.id) request_count
            from reindexer.reindex_run r where r.id < :before order by r.id desc limit :limit""".formatted(PROGRESS));
    private static final Sql REQUEST = Sql.of("""
            select q.request_id, q.alias, q.received_at, q.run_id, q.outcome, %s
            from reindexer.reindex_request q left join reindexer.reindex_run r on r.id = q.run_id
            where q.request_id = :requestId""".formatted(PROGRESS));

    private static final Sql LAST_COMPLETED = Sql.of("""
            select max(completed_at) completed_at from reindexer.reindex_run
            where alias = :alias and state = 'COMPLETED'""");

    @Inject
    Database database;

    @Inject
    ObjectMapper json;

    /**
     * A run as recorded, with the ids of its first {@link #REQUEST_IDS_SHOWN} requests and how many it served, and
     * where it stands while it runs (else null).
     */
    public record RunRecord(long id, String alias, String index, String state, Long documents, Instant startedAt,
            Instant completedAt, String error, String instance, List<String> requestIds, long requestCount,
            Progress progress) {
    }

    /**
     * An accepted request as recorded: waiting while {@code runId} is null, decided once {@code outcome} is set, with
     * the progress of its run while that runs.
     */
    public record RequestRecord(String requestId, String alias, Instant receivedAt, Long runId,
            ReindexCompleted outcome, Progress progress) {
    }

    /** Where a running run stood at its last progress tick, {@code updatedAt}. */
    public record Progress(String stage, long documents, long expected, double documentsPerSecond, long etaSeconds,
            Instant updatedAt) {
    }

    /** At most {@code limit} runs with an id below {@code before} (every run when null), newest first. */
    public List<RunRecord> recentRuns(int limit, Long before) {
        return database.inTransaction("read the recent runs", session -> session.list(RECENT_RUNS,
                row -> new RunRecord(row.longValue("id"), row.string("alias"), row.string("index_name"),
                        row.string("state"), row.longOrNull("documents"), row.instant("started_at"),
                        row.instant("completed_at"), row.string("error"), row.string("instance"),
                        row.strings("request_ids"), row.longValue("request_count"), progress(row)),
                "shown", REQUEST_IDS_SHOWN, "before", before == null ? Long.MAX_VALUE : before, "limit", limit));
    }

    public Optional<RequestRecord> request(String requestId) {
        return database.inTransaction("read request " + requestId, session -> session.first(REQUEST,
                row -> new RequestRecord(row.string("request_id"), row.string("alias"), row.instant("received_at"),
                        row.longOrNull("run_id"), outcome(row.string("outcome")), progress(row)),
                "requestId", requestId));
    }

    /** When the last run of {@code alias} that completed ended, its swap just before; empty if none is recorded. */
    public Optional<Instant> lastCompleted(String alias) {
        return database.inTransaction("read the last completed run", session -> session.first(LAST_COMPLETED,
                row -> row.instant("completed_at"), "alias", alias));
    }

    private static Progress progress(Row row) throws SQLException {
        Instant updatedAt = row.instant("progress_updated_at");
        return updatedAt == null ? null
                : new Progress(row.string("stage"), row.longValue("progress_documents"),
                        row.longValue("progress_expected"), row.doubleValue("progress_rate"),
                        row.longValue("progress_eta_seconds"), updatedAt);
    }

    private ReindexCompleted outcome(String value) throws JsonProcessingException {
        return value == null ? null : json.readValue(value, ReindexCompleted.class);
    }
}
