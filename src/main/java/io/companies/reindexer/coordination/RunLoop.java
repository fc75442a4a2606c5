package io.companies.reindexer.coordination;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.plumbing.Backoff;
import io.companies.reindexer.plumbing.RunMdc;
import io.companies.reindexer.plumbing.Traces;
import io.companies.reindexer.plumbing.Worker;
import io.companies.reindexer.reindex.BuildDefinition;
import io.companies.reindexer.reindex.Reindexer;
import io.companies.reindexer.reindex.RunEnd;
import io.companies.reindexer.reindex.RunProgress;
import io.companies.reindexer.state.AliasLock;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.ClaimedRun;
import io.companies.reindexer.state.RunLedger.InterruptedRun;
import io.companies.reindexer.state.RunLedgerException;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * The run thread: runs the recorded requests, so that a run of many minutes never holds a Kafka record. It serves
 * every waiting request of the alias in one run, under a database lock that allows one run per alias across all
 * instances; whenever it takes the lock it first repairs what an interrupted run left. It wakes when a request is
 * accepted and every {@code reindex.poll-interval} otherwise, which also serves requests another instance accepted but
 * could not run, and takes over the runs of instances that died. Outcomes go to the outbox, which the
 * {@link OutboxRelay} publishes.
 */
@ApplicationScoped
public class RunLoop {

    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

    @Inject
    ReindexConfig config;

    @Inject
    Tracer tracer;

    @Inject
    Reindexer reindexer;

    @Inject
    CrashRepair repair;

    @Inject
    RunLedger ledger;

    @Inject
    OutboxRelay relay;

    @Inject
    RunProgress progress;

    @Inject
    SliceWorker workers;

    @Inject
    InstanceName instance;

    @Inject
    BuildDefinition build;

    private IndexNames names;
    private final Worker loop = new Worker("reindex-run", false, this::serve);
    private boolean repaired;

    void start(@Observes StartupEvent event) {
        names = new IndexNames(config.indexPrefix());
        loop.start();
    }

    /**
     * Stops the run this instance leads at its next check: before its swap, its index and slices stay for the instance
     * that takes the alias next, which resumes it; after, that instance finishes it. Observed before the beans are
     * destroyed, so the run still has its database and engine clients as it stops.
     */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (!loop.stop(config.shutdownWait())) {
            Log.warnf("The reindex run did not stop within %s; the next start repairs what it leaves",
                    config.shutdownWait());
        }
    }

    /** A request is waiting: serve it now rather than at the next poll. */
    void wake() {
        loop.wake();
    }

    /** Whether the run thread is alive: it only ends when the service stops. */
    public boolean isServing() {
        return loop.isAlive();
    }

    /** One pass of the run thread: serves what waits, then waits for the next poll or a wake-up. */
    private Duration serve() {
        try {
            if (config.enabled()) {
                serveWaiting();
            } else {
                skipWaiting();
            }
        } catch (RunLedgerException e) {
            Log.warnf("The database is unavailable: the waiting requests of alias %s are served once it is back"
                    + " (trying again in %s): %s", config.alias(), config.pollInterval(), e.getMessage());
            repaired = false;
        } catch (RuntimeException e) {
            Log.errorf(e, "Serving the waiting requests of alias %s failed; trying again in %s", config.alias(),
                    config.pollInterval());
            // Whatever the failure interrupted (a run not recorded as finished) is repaired on the next pass.
            repaired = false;
        }
        return config.pollInterval();
    }

    private void serveWaiting() {
        String alias = config.alias();
        boolean repairDue = !repaired || ledger.hasUnfinished(alias);
        if (!repairDue && !ledger.hasWaiting(alias, build.stamp().version())) {
            return;
        }
        Optional<AliasLock> taken = ledger.tryLock(alias);
        if (taken.isEmpty()) {
            Log.debugf("Another instance is running a reindex of alias %s", alias);
            return;
        }
        try (AliasLock lock = taken.get()) {
            // Whenever the lock is taken: a run recorded as unfinished is one whose instance died, stopped or lost its
            // lock.
            if (repairDue) {
                Optional<InterruptedRun> resumable = repair.repair(alias, names, run -> controlOf(lock, run));
                repaired = true;
                Optional<ClaimedRun> resumed = resumable
                        .flatMap(run -> ledger.takeOver(run, alias, instance.get(), build.fingerprint()));
                if (resumable.isPresent() && resumed.isEmpty()) {
                    InterruptedRun ended = resumable.get();
                    try (RunMdc mdc = RunMdc.run(ended.id(), ended.requestIds(), alias, ended.index())) {
                        Log.warnf("Run %d ended while this instance took it over: nothing to resume", ended.id());
                    }
                }
                if (resumed.isPresent() && !runAndRecord(resumed.get(), lock, true)) {
                    return;
                }
            }
            Optional<ClaimedRun> run;
            while (!loop.isStopping()
                    && (run = ledger.claim(alias, names.next(), instance.get(), build.fingerprint(),
                            build.stamp().version())).isPresent()) {
                if (!runAndRecord(run.get(), lock, false)) {
                    return;
                }
            }
        }
    }

    /**
     * With the flag off, requests recorded while it was on but not run yet are answered SKIPPED like new ones, so
     * every accepted request still gets its outcome; no index is touched, repairs included.
     */
    private void skipWaiting() {
        int skipped = ledger.answerWaiting(config.alias(),
                requestId -> ReindexCompleted.skipped(requestId, config.alias(), Instant.now()));
        if (skipped > 0) {
            Log.infof("Reindexing is switched off: %d requests recorded before were answered SKIPPED", skipped);
            relay.wake();
        }
    }

    /**
     * @param resume whether the run was interrupted before, and its index and slices are kept
     * @return whether the run ended; if not, it is left for the repair to resume or finish before any other run
     */
    private boolean runAndRecord(ClaimedRun run, AliasLock lock, boolean resume) {
        try (RunMdc mdc = RunMdc.run(run.id(), run.requestIds(), run.alias(), run.index())) {
            // The run's span continues its first request's trace; its stages' spans are its children.
            Span span = tracer.spanBuilder("reindex run").setParent(Traces.continuing(traceOf(run.id())))
                    .setAttribute("reindex.run.id", run.id()).setAttribute("reindex.index", run.index())
                    .setAttribute("reindex.resumed", resume).startSpan();
            try (Scope scope = span.makeCurrent(); RunMdc trace = RunMdc.trace(span.getSpanContext())) {
                return leadAndRecord(run, lock, resume);
            } finally {
                span.end();
            }
        }
    }

    /**
     * Leads the run and records its outcomes; {@link #runAndRecord} names the run in the MDC of its lines and opens its
     * span first.
     */
    private boolean leadAndRecord(ClaimedRun run, AliasLock lock, boolean resume) {
        String label = run.id() + " " + run.requestIds();
        progress.started(run.id(), run.requestIds(), run.index());
        LockedRunControl control = controlOf(lock, run);
        RunEnd end = resume ? reindexer.resume(run.owner(), label, run.index(), run.force(), control)
                : reindexer.run(run.owner(), label, run.index(), run.force(), control);
        Function<Instant, List<ReindexCompleted>> outcomes;
        switch (end) {
            case RunEnd.Interrupted interrupted -> {
                if (loop.isStopping()) {
                    Log.infof("Run %s is not finished: %s", label, interrupted.reason());
                } else {
                    Log.errorf(interrupted.cause(), "Run %s is not finished: %s", label, interrupted.reason());
                }
                progress.ended("UNFINISHED");
                repaired = false;
                return false;
            }
            case RunEnd.Completed completed -> {
                outcomes = completedAt -> RunOutcomes.completed(run.requestIds(), run.alias(), completed.result(),
                        run.startedAt(), completedAt);
                progress.ended(ReindexCompleted.Status.COMPLETED.name());
            }
            case RunEnd.Failed failed -> {
                Log.errorf(failed.cause(), "Run %s failed", label);
                outcomes = completedAt -> RunOutcomes.failed(run.requestIds(), run.alias(), failed.index(),
                        run.startedAt(), completedAt, failed.reason());
                progress.ended(ReindexCompleted.Status.FAILED.name());
            }
        }
        finishDurably(label, run, outcomes);
        return true;
    }

    /**
     * Records the outcomes of a run, trying again while the database is down: the run's own error says what happened
     * (an instance that takes the run over meanwhile records it as interrupted instead).
     */
    private void finishDurably(String label, ClaimedRun run, Function<Instant, List<ReindexCompleted>> outcomes) {
        Backoff backoff = Backoff.from(FIRST_BACKOFF);
        while (true) {
            Duration wait;
            try {
                if (!ledger.finish(run.owner(), outcomes)) {
                    Log.warnf("Run %s had been taken over by another instance, which records its outcome", label);
                }
                relay.wake();
                return;
            } catch (RunLedgerException e) {
                if (loop.isStopping()) {
                    Log.warnf("Run %s ended, but its outcome could not be recorded before the shutdown; the next"
                            + " repair records it as interrupted: %s", label, e.getMessage());
                    return;
                }
                wait = backoff.next();
                Log.warnf("Run %s ended; recording its outcome again in %s: %s", label, wait, e.getMessage());
            }
            if (!loop.pause(wait)) {
                return;
            }
        }
    }

    /** The trace the run continues; none if the database cannot say now: a trace is not worth the run. */
    private String traceOf(long runId) {
        try {
            return ledger.traceparent(runId);
        } catch (RunLedgerException e) {
            return null;
        }
    }

    private LockedRunControl controlOf(AliasLock lock, ClaimedRun run) {
        return new LockedRunControl(lock, loop::isStopping, ledger, run.owner(), workers::wake);
    }
}
