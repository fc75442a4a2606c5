package io.companies.reindexer.state;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

/**
 * Keeps the history of the managed alias bounded: deletes the runs that ended more than
 * {@code reindex.history.retention} ago with their requests and slices (the latest
 * {@code reindex.history.keep-latest} runs stay, and so does every run still running or swapping), and the requests
 * answered without a run that old. Requests still waiting are never touched. It prunes at start and every
 * {@code reindex.history.prune-interval}, on the scheduler's thread.
 */
@ApplicationScoped
public class HistoryRetention {

    // Rows per statement, each statement its own transaction: row locks and the write-ahead log stay small, and a run
    // or a request being recorded never waits long behind a prune.
    private static final int BATCH = 1000;

    // Runs of the alias that ended before the cutoff, except its latest ones.
    private static final String PRUNABLE_RUN = """
            r.alias = :alias and r.state in ('COMPLETED', 'FAILED') and r.completed_at < :cutoff
            and r.id not in (select k.id from reindexer.reindex_run k where k.alias = :alias order by k.id desc
                limit :kept)""";

    private static final Sql DELETE_REQUESTS_OF_RUNS = Sql.of("""
            delete from reindexer.reindex_request where request_id in (select q.request_id
            from reindexer.reindex_request q join reindexer.reindex_run r on r.id = q.run_id where %s limit %d)"""
            .formatted(PRUNABLE_RUN, BATCH));

    // A run goes once it has no request left; its slices go with it (on delete cascade).
    private static final Sql DELETE_RUNS = Sql.of("""
            delete from reindexer.reindex_run where id in (select r.id from reindexer.reindex_run r where %s
            and not exists (select 1 from reindexer.reindex_request q where q.run_id = r.id) order by r.id limit %d)"""
            .formatted(PRUNABLE_RUN, BATCH));

    // Requests answered without a run (REJECTED, SKIPPED).
    private static final Sql DELETE_ANSWERED_WITHOUT_RUN = Sql.of("""
            delete from reindexer.reindex_request where request_id in (select request_id from reindexer.reindex_request
            where alias = :alias and run_id is null and outcome is not null and received_at < :cutoff limit %d)"""
            .formatted(BATCH));

    @Inject
    Database database;

    @Inject
    ReindexConfig config;

    /** What a prune deleted. */
    public record Pruned(int runs, int requests) {
    }

    /**
     * Deletes the runs of {@code alias} that ended before {@code endedBefore}, except the latest {@code keepLatest}
     * runs, with their requests, and the requests of {@code alias} answered without a run received before it.
     */
    public Pruned prune(String alias, Instant endedBefore, int keepLatest) {
        int requests = deleteAll(DELETE_REQUESTS_OF_RUNS, "alias", alias, "cutoff", endedBefore, "kept", keepLatest);
        int runs = deleteAll(DELETE_RUNS, "alias", alias, "cutoff", endedBefore, "kept", keepLatest);
        requests += deleteAll(DELETE_ANSWERED_WITHOUT_RUN, "alias", alias, "cutoff", endedBefore);
        return new Pruned(runs, requests);
    }

    @Scheduled(every = "${reindex.history.prune-interval}", concurrentExecution = ConcurrentExecution.SKIP)
    void pruneExpired() {
        ReindexConfig.History history = config.history();
        Instant cutoff = Instant.now().minus(history.retention());
        try {
            Pruned pruned = prune(config.alias(), cutoff, history.keepLatest());
            if (pruned.runs() > 0 || pruned.requests() > 0) {
                Log.infof("Pruned the history of alias %s: %d runs and %d requests that ended before %s (the latest"
                        + " %d runs kept)", config.alias(), pruned.runs(), pruned.requests(), cutoff,
                        history.keepLatest());
            } else {
                Log.debugf("Nothing to prune in the history of alias %s before %s", config.alias(), cutoff);
            }
        } catch (RuntimeException e) {
            Log.warnf("Pruning the history of alias %s failed; trying again in %s: %s", config.alias(),
                    history.pruneInterval(), e.getMessage());
        }
    }

    /** Runs {@code delete} until it deletes fewer than {@link #BATCH} rows, one transaction each time. */
    private int deleteAll(Sql delete, Object... namesAndValues) {
        int total = 0;
        int deleted;
        do {
            deleted = database.inTransaction("prune the history",
                    session -> session.update(delete, namesAndValues));
            total += deleted;
        } while (deleted == BATCH);
        return total;
    }
}
