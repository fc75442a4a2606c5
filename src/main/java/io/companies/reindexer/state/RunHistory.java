package io.companies.reindexer.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.companies.reindexer.contract.ReindexCompleted;

/** Reads the runs and requests {@link RunLedger} recorded, for the HTTP API. */
@ApplicationScoped
public class RunHistory {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ObjectMapper json;

    /** Most request ids a {@link RunRecord} lists: a run serves every request that waited, however many. */
    public static final int REQUEST_IDS_SHOWN = 100;

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
        return Transactions.inTransaction(dataSource, connection -> {
            List<RunRecord> runs = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    select r.id, r.alias, r.index_name, r.state, r.documents, r.started_at, r.completed_at, r.error,
                    r.instance, array(select q.request_id from reindexer.reindex_request q where q.run_id = r.id
                    order by q.received_at limit ?),
                    (select count(*) from reindexer.reindex_request q where q.run_id = r.id)
                    from reindexer.reindex_run r where r.id < ? order by r.id desc limit ?""")) {
                select.setInt(1, REQUEST_IDS_SHOWN);
                select.setLong(2, before == null ? Long.MAX_VALUE : before);
                select.setInt(3, limit);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        OffsetDateTime completed = rows.getObject(7, OffsetDateTime.class);
                        runs.add(new RunRecord(rows.getLong(1), rows.getString(2), rows.getString(3),
                                rows.getString(4), (Long) rows.getObject(5),
                                rows.getObject(6, OffsetDateTime.class).toInstant(),
                                completed == null ? null : completed.toInstant(), rows.getString(8), rows.getString(9),
                                List.of((String[]) rows.getArray(10).getArray()), rows.getLong(11)));
                    }
                }
            }
            return runs;
        });
    }

    public Optional<RequestRecord> request(String requestId) {
        return Transactions.inTransaction(dataSource, connection -> {
            try (PreparedStatement select = connection.prepareStatement("""
                    select request_id, alias, received_at, run_id, outcome from reindexer.reindex_request
                    where request_id = ?""")) {
                select.setString(1, requestId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    String outcome = rows.getString(5);
                    return Optional.of(new RequestRecord(rows.getString(1), rows.getString(2),
                            rows.getObject(3, OffsetDateTime.class).toInstant(), (Long) rows.getObject(4),
                            outcome == null ? null : json.readValue(outcome, ReindexCompleted.class)));
                }
            }
        });
    }
}
