package io.companies.reindexer.state;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The slices of the runs, in the service's schema ({@code run_slice}): the leader of a run plans them and opens each
 * pass on all of them; every live instance claims them one at a time with {@code for update skip locked}, under a
 * lease it renews as it works. A claim that lapses (its instance died) or is handed back is taken by the next instance
 * that looks; a slice is marked done only by the instance that holds its claim, in one transaction with what the
 * index holds for it, so a slice is never counted twice.
 */
@ApplicationScoped
public class SliceLedger {

    private static final Sql PLAN = Sql.of("""
            insert into reindexer.run_slice (run_id, slice, after_id, last_id)
            select :runId, bounds.slice - 1, bounds.after_id, bounds.last_id
            from unnest(:afterIds::integer[], :lastIds::integer[]) with ordinality bounds (after_id, last_id, slice)""");
    private static final Sql CLAIM = Sql.of("""
            update reindexer.run_slice s set claimed_by = :instance, claimed_until = now() + :leaseMs * interval '1 ms',
            attempts = attempts + 1, pages = 0
            from reindexer.reindex_run r
            where r.id = s.run_id and (s.run_id, s.slice) = (
                select o.run_id, o.slice from reindexer.run_slice o join reindexer.reindex_run u on u.id = o.run_id
                where not o.done and o.error is null and (o.claimed_until is null or o.claimed_until < now())
                and u.alias = :alias and u.state in ('RUNNING', 'SWAPPING') and u.definition = :definition
                order by o.run_id, o.slice limit 1 for update of o skip locked)
            returning s.run_id, s.slice, s.after_id, s.last_id, s.pass, s.attempts, s.handed_back, s.fingerprints,
            r.index_name, array(select q.request_id from reindexer.reindex_request q where q.run_id = s.run_id
            order by q.received_at) request_ids, (select q.traceparent from reindexer.reindex_request q
            where q.run_id = s.run_id and q.traceparent is not null order by q.received_at limit 1) traceparent""");
    // A slice whose run failed is not renewed: its claimant stops at its next check.
    private static final Sql RENEW = Sql.of("""
            update reindexer.run_slice set claimed_until = now() + :leaseMs * interval '1 ms', pages = :pages
            where run_id = :runId and slice = :slice and pass = :pass and not done and claimed_by = :instance
            and error is null""");
    private static final Sql COMPLETE = Sql.of("""
            update reindexer.run_slice set done = true, claimed_by = null, claimed_until = null,
            documents = :documents, changes = :changes, bytes = bytes + :bytes,
            fingerprints = coalesce(:fingerprints::bytea, fingerprints)
            where run_id = :runId and slice = :slice and pass = :pass and not done and claimed_by = :instance""");
    // Only the claim it was given (the attempt): a hand-back that comes late never releases a later claim.
    private static final Sql HAND_BACK = Sql.of("""
            update reindexer.run_slice set claimed_by = null, claimed_until = null, handed_back = handed_back + 1
            where run_id = :runId and slice = :slice and pass = :pass and not done and claimed_by = :instance
            and attempts = :attempt""");
    private static final Sql STOP = Sql.of("""
            update reindexer.run_slice set error = coalesce(error, :error) where run_id = :runId""");
    private static final Sql LIVE_CLAIMS = Sql.of("""
            select count(*) claims from reindexer.run_slice
            where run_id = :runId and claimed_by is not null and claimed_until > now()""");
    private static final Sql FAIL = Sql.of("""
            update reindexer.run_slice set error = :error, claimed_by = null, claimed_until = null
            where run_id = :runId and slice = :slice and pass = :pass and not done and claimed_by = :instance""");
    private static final Sql RELEASE = Sql.of("""
            update reindexer.run_slice set claimed_by = null, claimed_until = null
            where run_id = :runId and slice = :slice and pass = :pass and claimed_by = :instance
            and attempts = :attempt""");
    private static final Sql OPEN_PASS = Sql.of("""
            update reindexer.run_slice set pass = :pass, done = false, attempts = 0, handed_back = 0, changes = 0,
            error = null
            where run_id = :runId""");
    private static final Sql STATUS = Sql.of("""
            select count(*) slices, count(*) filter (where done) done, coalesce(max(pass), -1) pass,
            coalesce(sum(documents) filter (where done), 0) documents, coalesce(sum(changes), 0) changes,
            coalesce(sum(bytes), 0) bytes, coalesce(sum(pages), 0) pages, min(error) error
            from reindexer.run_slice where run_id = :runId""");
    @Inject
    Database database;

    /** The bounds of one slice: the companies with an id in ({@code afterId}, {@code lastId}]. */
    public record Bounds(int afterId, int lastId) {
    }

    /**
     * One pass of one slice, claimed by this instance.
     *
     * @param attempt how many times this pass of this slice has been claimed, this time included
     * @param handedBack how many of those claims were handed back unfinished, rather than lost
     * @param fingerprints what the index holds for the slice after its last finished pass; null before the load
     * @param requestIds the requests its run serves, for the logs
     * @param traceparent the trace its run continues (its first request's), or null
     */
    public record Claim(long runId, int slice, Bounds bounds, int pass, int attempt, int handedBack,
            byte[] fingerprints, String index, List<String> requestIds, String traceparent) {

        /** Earlier claims of this pass that ended without finishing or handing the slice back: they failed. */
        public int failedAttempts() {
            return attempt - 1 - handedBack;
        }
    }

    /**
     * Where the current pass of a run stands.
     *
     * @param documents what the index holds for the slices done, together
     * @param changes what the current pass changed so far (documents written again or deleted)
     * @param bytes the NDJSON the slices sent, every pass together
     * @param pages the pages their claimants have read, as of their last renewals: it changes while passes move
     * @param error why a slice failed, or null
     */
    public record Status(int slices, int done, int pass, long documents, long changes, long bytes, long pages,
            String error) {
        public boolean finished() {
            return done == slices;
        }
    }

    /** Records the slices of a run, numbered from 0, all open for the load (pass 0). */
    public void plan(long runId, List<Bounds> slices) {
        Integer[] afterIds = slices.stream().map(Bounds::afterId).toArray(Integer[]::new);
        Integer[] lastIds = slices.stream().map(Bounds::lastId).toArray(Integer[]::new);
        database.inTransaction("plan the slices of run " + runId,
                session -> session.update(PLAN, "runId", runId, "afterIds", afterIds, "lastIds", lastIds));
    }

    /**
     * Opens pass {@code pass} on every slice of the run: each is claimable again, with what the last pass left. A slice
     * that failed the last pass gets another chance: only the repair of a run interrupted after its swap opens a pass
     * after a failure, and it must be able to finish once the cause is gone.
     *
     * @return false when the run is no longer {@code owner}'s: nothing was opened
     */
    public boolean openPass(RunOwner owner, int pass) {
        return database.inTransaction("open pass " + pass + " of run " + owner.runId(), session -> {
            if (!lockOwned(session, owner)) {
                return false;
            }
            session.update(OPEN_PASS, "runId", owner.runId(), "pass", pass);
            return true;
        });
    }

    /** Whether the run is {@code owner}'s; if so, nobody can take it over until the caller's transaction ends. */
    private static boolean lockOwned(Database.Session session, RunOwner owner) throws SQLException, IOException {
        return session.first(RunLedger.LOCK_OWNED, row -> true, "runId", owner.runId(), "instance", owner.instance(),
                "generation", owner.generation()).isPresent();
    }

    public Status status(long runId) {
        return database.inTransaction("read the slices of run " + runId,
                session -> session.list(STATUS, row -> new Status((int) row.longValue("slices"),
                        (int) row.longValue("done"), (int) row.longValue("pass"), row.longValue("documents"),
                        row.longValue("changes"), row.longValue("bytes"), row.longValue("pages"), row.string("error")),
                        "runId", runId)
                        .getFirst());
    }

    /**
     * Claims the first slice of a live run of {@code alias} that nobody holds, for {@code lease}; empty when there is
     * none. Only the instances of the alias's own deployment work on its runs: another deployment sharing the database
     * may read other tables or write to another engine; and only those of the build that leads the run
     * ({@code definition}): another build makes other documents.
     */
    public Optional<Claim> claim(String alias, String definition, String instance, Duration lease) {
        return database.inTransaction("claim a slice", session -> session.first(CLAIM,
                row -> new Claim(row.longValue("run_id"), (int) row.longValue("slice"),
                        new Bounds((int) row.longValue("after_id"), (int) row.longValue("last_id")),
                        (int) row.longValue("pass"), (int) row.longValue("attempts"),
                        (int) row.longValue("handed_back"), row.bytes("fingerprints"), row.string("index_name"),
                        row.strings("request_ids"), row.string("traceparent")),
                "alias", alias, "definition", definition, "instance", instance, "leaseMs", lease.toMillis()));
    }

    /**
     * Extends the claim, recording the pages its pass has read; false when it is no longer this instance's (it lapsed
     * and was taken, or the run ended or failed).
     */
    public boolean renew(Claim claim, String instance, Duration lease, int pages) {
        return database.inTransaction("renew the claim of a slice", session -> session.update(RENEW, "runId",
                claim.runId(), "slice", claim.slice(), "pass", claim.pass(), "instance", instance, "leaseMs",
                lease.toMillis(), "pages", pages) == 1);
    }

    /**
     * Marks the pass of the slice done, with what the index now holds for it (its fingerprints, or null when they are
     * as the last pass left them); false, and nothing recorded, when the claim is no longer this instance's.
     */
    public boolean complete(Claim claim, String instance, long documents, long changes, long bytes,
            byte[] fingerprints) {
        return database.inTransaction("record slice " + claim.slice() + " of run " + claim.runId(),
                session -> session.update(COMPLETE, "runId", claim.runId(), "slice", claim.slice(), "pass",
                        claim.pass(), "instance", instance, "documents", documents, "changes", changes, "bytes", bytes,
                        "fingerprints", fingerprints) == 1);
    }

    /**
     * Gives the slice back unfinished, for another instance to take at once; it does not count as a failed attempt.
     *
     * @return false when the claim was no longer this instance's
     */
    public boolean handBack(Claim claim, String instance) {
        return database.inTransaction("hand slice " + claim.slice() + " of run " + claim.runId() + " back",
                session -> session.update(HAND_BACK, "runId", claim.runId(), "slice", claim.slice(), "pass",
                        claim.pass(), "instance", instance, "attempt", claim.attempt()) == 1);
    }

    /** Lets go of a claim whose run stopped it (it failed), so that the run's leader need not wait for it to lapse. */
    public void release(Claim claim, String instance) {
        database.inTransaction("release slice " + claim.slice() + " of run " + claim.runId(),
                session -> session.update(RELEASE, "runId", claim.runId(), "slice", claim.slice(), "pass",
                        claim.pass(), "instance", instance, "attempt", claim.attempt()));
    }

    /**
     * Stops every slice of a failed run: none is claimed again, and the instances working on one stop at their next
     * check, when their claim is not renewed.
     *
     * @return false when the run is no longer {@code owner}'s: nothing was stopped
     */
    public boolean stop(RunOwner owner, String why) {
        return database.inTransaction("stop the slices of run " + owner.runId(), session -> {
            if (!lockOwned(session, owner)) {
                return false;
            }
            session.update(STOP, "runId", owner.runId(), "error", why);
            return true;
        });
    }

    /** How many slices of the run an instance still holds: claimed, and within the claim's lease. */
    public long liveClaims(long runId) {
        return database.inTransaction("count the claims of run " + runId,
                session -> session.list(LIVE_CLAIMS, row -> row.longValue("claims"), "runId", runId).getFirst());
    }

    /** Records why the slice cannot be done: the leader fails the run. */
    public void fail(Claim claim, String instance, String error) {
        database.inTransaction("record the failure of slice " + claim.slice() + " of run " + claim.runId(),
                session -> session.update(FAIL, "runId", claim.runId(), "slice", claim.slice(), "pass", claim.pass(),
                        "instance", instance, "error", error));
    }
}
