package io.companies.reindexer.state;

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

    private static final Sql RECENT_RUNS = Sql.of("""
            select r.id, r.alias, r.index_name, r.state, r.documents, r.started_at, r.completed_at, r.error, r.instance,
            array(select q.request_id from reindexer.reindex_request q where q.run_id = r.id
                order by q.received_at limit :shown) request_ids,
            (select count(*) from reindexer.reindex_request q where q.run_id = r.id) request_count
            from reindexer.reindex_run r where r.id < :before order by r.id desc limit :limit""");
    private static final Sql REQUEST = Sql.of("""
            select request_id, alias, received_at, run_id, outcome from reindexer.reindex_request
            where request_id = :requestId""");

    @Inject
    Database database;

    @Inject
    ObjectMapper json;

    /** A run as recorded, with the ids of its first {@link #REQUEST_IDS_SHOWN} requests and how many it served. */
    public record RunRecord(long id, String alias, String index, String state, Long documents, Instant startedAt,
            Instant completedAt, String error, String instance, List<String> requestIds, long requestCount) {
    }

    /** An accepted request as recorded: waiting while {@code runId} is null, decided once {@code outcome} is set. */
    public record RequestRecord(String requestId, String alias, Instant receivedAt, Long runId,
            ReindexCompleted outcome) {
    }

    /** At most {@code limit} runs with an id below {@code before} (every run when null), newest first. */
    public List<RunRecord> recentRuns(int limit, Long before) {
        return database.inTransaction("read the recent runs", session -> session.list(RECENT_RUNS,
                row -> new RunRecord(row.longValue("id"), row.string("alias"), row.string("index_name"),
                        row.string("state"), row.longOrNull("documents"), row.instant("started_at"),
                        row.instant("completed_at"), row.string("error"), row.string("instance"),
                        row.strings("request_ids"), row.longValue("request_count")),
                "shown", REQUEST_IDS_SHOWN, "before", before == null ? Long.MAX_VALUE : before, "limit", limit));
    }

    public Optional<RequestRecord> request(String requestId) {
        return database.inTransaction("read request " + requestId, session -> session.first(REQUEST,
                row -> new RequestRecord(row.string("request_id"), row.string("alias"), row.instant("received_at"),
                        row.longOrNull("run_id"), outcome(row.string("outcome"))),
                "requestId", requestId));
    }

    private ReindexCompleted outcome(String value) throws JsonProcessingException {
        return value == null ? null : json.readValue(value, ReindexCompleted.class);
    }
}
