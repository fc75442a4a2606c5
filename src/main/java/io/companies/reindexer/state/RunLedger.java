package io.companies.reindexer.state;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.plumbing.Traces;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.opentelemetry.context.Context;

/**
 * The service's durable memory, in its own schema ({@code reindexer}, see {@code db/migration}): the requests it
 * accepted and the runs that served them. Every decision is written in one transaction with its outcome and the
 * outcome's copy in the {@link OutcomeOutbox}, so a crash never loses one without the other.
 */
@ApplicationScoped
public class RunLedger {

    // A request waits from its acceptance until a run claims it or, with the flag off, it is answered without one.
    private static final String WAITING = "alias = :alias and run_id is null and outcome is null";

    // What a build of definition version :version may run: a request that needs a newer definition waits for it.
    private static final String RUNNABLE = WAITING
            + " and (needs_definition_version is null or needs_definition_version <= :version)";

    private static final Sql RECORD_REQUEST = Sql.of("""
            insert into reindexer.reindex_request (request_id, alias, requested_by, requested_at, force,
            needs_definition_version, received_at, traceparent)
            values (:requestId, :alias, :requestedBy, :requestedAt, :force, cast(:needsVersion as integer), now(),
            :traceparent) on conflict (request_id) do nothing""");
    // A run continues the trace of the first request it serves.
    private static final Sql TRACE_OF_RUN = Sql.of("""
            select traceparent from reindexer.reindex_request where run_id = :runId and traceparent is not null
            order by received_at limit 1""");
    private static final Sql OUTCOME_OF_REQUEST = Sql.of(
            "select outcome from reindexer.reindex_request where request_id = :requestId");
    private static final Sql ANY_RUNNABLE = Sql.of(
            "select request_id from reindexer.reindex_request where " + RUNNABLE + " limit 1");
    // Oldest first, locked until the transaction ends.
    private static final Sql LOCK_WAITING = Sql.of("select request_id, force from reindexer.reindex_request where "
            + WAITING + " order by received_at for update");
    private static final Sql LOCK_RUNNABLE = Sql.of("select request_id, force from reindexer.reindex_request where "
            + RUNNABLE + " order by received_at for update");
    // Every time a run records comes from the database's clock: the instances that start, resume and end a run may
    // be different machines whose clocks disagree.
    private static final Sql START_RUN = Sql.of("""
            insert into reindexer.reindex_run (alias, index_name, state, started_at, instance, definition)
            values (:alias, :index, 'RUNNING', clock_timestamp(), :instance, :definition)
            returning id, started_at, generation""");
    private static final Sql NOW = Sql.of("select clock_timestamp() now");
    private static final Sql ASSIGN_REQUESTS = Sql.of(
            "update reindexer.reindex_request set run_id = :runId where request_id = any (:requestIds)");
    // A decisive step is recorded only while the run is still the one its leader took: another instance may have
    // taken it over since (the leader's lock vanished while it worked).
    private static final String OWNED = "id = :runId and instance = :instance and generation = :generation";
    private static final Sql MARK_SWAPPING = Sql.of("""
            update reindexer.reindex_run set state = 'SWAPPING', documents = :documents,
            previous_indices = :previous::jsonb, deleted_indices = :deleted::jsonb
            where state = 'RUNNING' and\s""" + OWNED);
    // The run becomes the taking build's too: its slices are for that build's instances from then on.
    private static final Sql TAKE_OVER = Sql.of("""
            update reindexer.reindex_run set instance = :instance, generation = generation + 1, definition = :definition
            where id = :runId and state in ('RUNNING', 'SWAPPING') returning generation""");
    private static final Sql END_FOR_RESTART = Sql.of("""
            update reindexer.reindex_run set state = 'FAILED', completed_at = clock_timestamp(), error = :error
            where state = 'RUNNING' and\s""" + OWNED);
    private static final Sql UNASSIGN_REQUESTS = Sql.of(
            "update reindexer.reindex_request set run_id = null where run_id = :runId and outcome is null");
    static final Sql LOCK_OWNED = Sql.of(
            "select id from reindexer.reindex_run where state in ('RUNNING', 'SWAPPING') and " + OWNED + " for update");
    private static final Sql ANY_UNFINISHED = Sql.of("""
            select alias from reindexer.reindex_run where alias = :alias and state in ('RUNNING', 'SWAPPING')
            limit 1""");
    // Unless the run has ended already, or another instance took it over.
    private static final Sql END_RUN = Sql.of("""
            update reindexer.reindex_run set state = :state, documents = :documents,
            previous_indices = :previous::jsonb, deleted_indices = :deleted::jsonb, completed_at = :completedAt,
            error = :error where state in ('RUNNING', 'SWAPPING') and\s""" + OWNED + " returning alias");
    private static final Sql DROP_SLICES = Sql.of("delete from reindexer.run_slice where run_id = :runId");
    private static final Sql UNFINISHED_RUNS = Sql
            .of("""
                    select r.id, r.index_name, r.state, r.documents, r.previous_indices, r.deleted_indices, r.started_at,
                    r.instance, r.definition, array(select q.request_id from reindexer.reindex_request q where q.run_id = r.id
                    order by q.received_at) request_ids,
                    exists(select 1 from reindexer.reindex_request q where q.run_id = r.id and q.force) force,
                    (select count(*) from reindexer.run_slice s where s.run_id = r.id) slices
                    from reindexer.reindex_run r where r.alias = :alias and r.state in ('RUNNING', 'SWAPPING') order by r.id""");
    private static final Sql RECORD_PROGRESS = Sql.of("""
            update reindexer.reindex_run set stage = :stage, progress_documents = :documents,
            progress_expected = :expected, progress_rate = :rate, progress_eta_seconds = :etaSeconds,
            progress_updated_at = now() where id = :runId""");
    private static final Sql DECIDE_REQUEST = Sql.of(
            "update reindexer.reindex_request set outcome = :outcome::jsonb where request_id = :requestId");

    private record Waiting(String requestId, boolean force) {
    }

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    @Inject
    Database database;

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

    /**
     * A run that took every waiting request of its alias, or took an interrupted run over.
     *
     * @param force whether any of its requests lets it swap in an index the shrink guard would refuse
     */
    public record ClaimedRun(RunOwner owner, String alias, String index, Instant startedAt, List<String> requestIds,
            boolean force) {

        public long id() {
            return owner.runId();
        }
    }

    /**
     * A run found {@code RUNNING} or {@code SWAPPING} while nobody runs: a crash or a stop interrupted it.
     *
     * @param definition the fingerprint of the build that started it or took it over last (null before V12)
     * @param force whether any of its requests lets it swap in an index the shrink guard would refuse
     * @param slices how many slices it had planned: none when it was interrupted before its plan
     */
    public record InterruptedRun(long id, String index, boolean swapping, Long documents, List<String> previousIndices,
            List<String> deletedIndices, Instant startedAt, String instance, String definition,
            List<String> requestIds, boolean force, int slices) {
    }

    /**
     * Records a request durably, once per request id, with the trace of the span current now (its intake's); any build
     * may run it.
     */
    public Acceptance accept(ReindexRequested request, String alias) {
        return database.inTransaction("record request " + request.requestId(), session -> {
            if (insert(session, request, alias, null)) {
                return Acceptance.NEW;
            }
            Optional<String> earlier = session.first(OUTCOME_OF_REQUEST, row -> row.string("outcome"), "requestId",
                    request.requestId());
            if (earlier.isEmpty()) {
                return Acceptance.PENDING;
            }
            OutcomeOutbox.insert(session, alias, request.requestId(), earlier.get());
            return Acceptance.REPUBLISHED;
        });
    }

    /**
     * Records a request durably unless its id is recorded already, and then does nothing more: neither an outcome
     * published again nor anything else. For the requests the service makes itself, which every instance makes alike,
     * so that exactly one of them records each.
     *
     * @param needsVersion the least definition version of a build that may run it; null: any
     * @return whether this call recorded it
     */
    public boolean acceptIfAbsent(ReindexRequested request, String alias, Integer needsVersion) {
        return database.inTransaction("record request " + request.requestId(),
                session -> insert(session, request, alias, needsVersion));
    }

    /** Inserts the request unless its id is there already, in the caller's transaction: whether it inserted it. */
    private static boolean insert(Database.Session session, ReindexRequested request, String alias,
            Integer needsVersion) throws SQLException {
        return session.update(RECORD_REQUEST, "requestId", request.requestId(), "alias", alias, "requestedBy",
                request.requestedBy(), "requestedAt", request.requestedAt(), "force", request.force(), "needsVersion",
                needsVersion, "traceparent", Traces.traceparent(Context.current())) == 1;
    }

    /** The trace the run continues: that of the first request it serves, or null when none was traced. */
    public String traceparent(long runId) {
        return database.inTransaction("read the trace of run " + runId,
                session -> session.first(TRACE_OF_RUN, row -> row.string("traceparent"), "runId", runId)).orElse(null);
    }

    /** Whether a request of {@code alias} waits that a build of definition version {@code version} may run. */
    public boolean hasWaiting(String alias, int version) {
        return database.inTransaction("look for waiting requests",
                session -> session.first(ANY_RUNNABLE, row -> true, "alias", alias, "version", version).isPresent());
    }

    /**
     * Starts a run of {@code index} that serves every request of {@code alias} waiting now. Call it only while
     * holding the alias's {@link AliasLock}.
     *
     * @param definition the fingerprint of this build: only its instances take the run's slices
     * @param version this build's definition version: requests that need a newer one are left waiting
     * @return the run, or empty when no request it may run is waiting
     */
    public Optional<ClaimedRun> claim(String alias, String index, String instance, String definition, int version) {
        return database.inTransaction("claim the waiting requests", session -> {
            List<Waiting> waiting = session.list(LOCK_RUNNABLE,
                    row -> new Waiting(row.string("request_id"), row.bool("force")), "alias", alias, "version",
                    version);
            if (waiting.isEmpty()) {
                return Optional.empty();
            }
            List<String> requestIds = waiting.stream().map(Waiting::requestId).toList();
            // One run serves them all (events.md, "Guards and triggers"): it swaps anyway when any of them says so.
            boolean force = waiting.stream().anyMatch(Waiting::force);
            ClaimedRun run = session.list(START_RUN, row -> new ClaimedRun(
                    new RunOwner(row.longValue("id"), instance, (int) row.longValue("generation")), alias, index,
                    row.instant("started_at"), requestIds, force), "alias", alias, "index", index, "instance",
                    instance, "definition", definition).getFirst();
            session.update(ASSIGN_REQUESTS, "runId", run.id(), "requestIds", requestIds.toArray(String[]::new));
            return Optional.of(run);
        });
    }

    /**
     * Gives every request of {@code alias} still waiting the outcome {@code answer} makes for its id, without a run,
     * and puts those outcomes in the outbox.
     *
     * @return how many requests were answered
     */
    public int answerWaiting(String alias, Function<String, ReindexCompleted> answer) {
        return database.inTransaction("answer the waiting requests", session -> {
            List<String> requestIds = session.list(LOCK_WAITING, row -> row.string("request_id"), "alias", alias);
            for (String requestId : requestIds) {
                decide(session, alias, answer.apply(requestId));
            }
            return requestIds.size();
        });
    }

    /**
     * Records the plan of the alias swap just before it is sent: after a crash, the repair reads the alias back to
     * learn whether the swap happened, and catches up from the run's slices.
     *
     * @return false when the run is no longer {@code owner}'s: another instance has taken it over
     */
    public boolean swapping(RunOwner owner, long documents, List<String> previousIndices,
            List<String> deletedIndices) {
        return database.inTransaction("record the swap of run " + owner.runId(),
                session -> session.update(MARK_SWAPPING, "documents", documents, "previous", toJson(previousIndices),
                        "deleted", toJson(deletedIndices), "runId", owner.runId(), "instance", owner.instance(),
                        "generation", owner.generation()) == 1);
    }

    /**
     * Makes an interrupted run this instance's, to resume or repair it: its generation grows by one, so the leader it
     * had records nothing more, and its slices are for the instances of this build ({@code definition}) from then on.
     * Call it only while holding the alias's {@link AliasLock}.
     *
     * @return empty when the run has ended meanwhile
     */
    public Optional<ClaimedRun> takeOver(InterruptedRun run, String alias, String instance, String definition) {
        return database.inTransaction("take run " + run.id() + " over",
                session -> session.first(TAKE_OVER, row -> new ClaimedRun(
                        new RunOwner(run.id(), instance, (int) row.longValue("generation")), alias, run.index(),
                        run.startedAt(), run.requestIds(), run.force()), "runId", run.id(), "instance", instance,
                        "definition",
                        definition));
    }

    /**
     * Ends a run interrupted before its swap without an outcome, and puts its requests back to wait for the next run:
     * it was started by another build of the service, whose documents this build would not make.
     *
     * @return false when the run is no longer {@code owner}'s
     */
    public boolean restart(RunOwner owner, String why) {
        return database.inTransaction("start the requests of run " + owner.runId() + " again", session -> {
            if (session.update(END_FOR_RESTART, "error", why, "runId", owner.runId(), "instance", owner.instance(),
                    "generation", owner.generation()) != 1) {
                return false;
            }
            session.update(UNASSIGN_REQUESTS, "runId", owner.runId());
            session.update(DROP_SLICES, "runId", owner.runId());
            return true;
        });
    }

    /** Whether the run is still unfinished and {@code owner}'s: nobody has taken it over since. */
    public boolean owns(RunOwner owner) {
        return database.inTransaction("check who leads run " + owner.runId(),
                session -> session.first(LOCK_OWNED, row -> true, "runId", owner.runId(), "instance", owner.instance(),
                        "generation", owner.generation()).isPresent());
    }

    /** Whether a run of {@code alias} is recorded as running or swapping: live elsewhere, or interrupted. */
    public boolean hasUnfinished(String alias) {
        return database.inTransaction("look for unfinished runs",
                session -> session.first(ANY_UNFINISHED, row -> true, "alias", alias).isPresent());
    }

    /**
     * Ends a run with the outcome of each request it served, and puts those outcomes in the outbox; unless the run has
     * ended already or is no longer {@code owner}'s: another instance took it over and decides its outcome.
     *
     * @param outcomesAt the outcomes of a run that ends at the given time, read from the database's clock, like the
     *        run's start
     * @return whether this call ended the run
     */
    public boolean finish(RunOwner owner, Function<Instant, List<ReindexCompleted>> outcomesAt) {
        long runId = owner.runId();
        return database.inTransaction("record the outcome of run " + runId, session -> {
            List<ReindexCompleted> outcomes = outcomesAt.apply(session.list(NOW, row -> row.instant("now")).getFirst());
            ReindexCompleted first = outcomes.getFirst();
            Optional<String> alias = session.first(END_RUN, row -> row.string("alias"), "state",
                    first.status().name(), "documents", first.documents(), "previous", toJson(first.previousIndices()),
                    "deleted", toJson(first.deletedIndices()), "completedAt", first.completedAt(), "error",
                    first.error(), "runId", runId, "instance", owner.instance(), "generation", owner.generation());
            if (alias.isEmpty()) {
                return false;
            }
            session.update(DROP_SLICES, "runId", runId);
            for (ReindexCompleted outcome : outcomes) {
                decide(session, alias.get(), outcome);
            }
            return true;
        });
    }

    /** Records where run {@code runId} stands, for every instance to show. */
    public void progress(long runId, String stage, long documents, long expected, double rate, long etaSeconds) {
        database.inTransaction("record the progress of run " + runId,
                session -> session.update(RECORD_PROGRESS, "runId", runId, "stage", stage, "documents", documents,
                        "expected", expected, "rate", rate, "etaSeconds", etaSeconds));
    }

    /** The runs of {@code alias} that never finished. Call it only while holding the alias's {@link AliasLock}. */
    public List<InterruptedRun> interrupted(String alias) {
        return database.inTransaction("read the unfinished runs", session -> session.list(UNFINISHED_RUNS,
                row -> new InterruptedRun(row.longValue("id"), row.string("index_name"),
                        row.string("state").equals("SWAPPING"), row.longOrNull("documents"),
                        fromJson(row.string("previous_indices")), fromJson(row.string("deleted_indices")),
                        row.instant("started_at"), row.string("instance"), row.string("definition"),
                        row.strings("request_ids"), row.bool("force"),
                        (int) row.longValue("slices")),
                "alias", alias));
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
    private void decide(Database.Session session, String alias, ReindexCompleted outcome)
            throws SQLException, IOException {
        String value = toJson(outcome);
        session.update(DECIDE_REQUEST, "outcome", value, "requestId", outcome.requestId());
        OutcomeOutbox.insert(session, alias, outcome.requestId(), value);
    }

    private String toJson(Object value) throws JsonProcessingException {
        return json.writeValueAsString(value);
    }

    private List<String> fromJson(String value) throws JsonProcessingException {
        return value == null ? List.of() : json.readValue(value, STRINGS);
    }
}
