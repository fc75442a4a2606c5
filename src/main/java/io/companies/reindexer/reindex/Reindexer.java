package io.companies.reindexer.reindex;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.index.IndexDefinition;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.index.IndexRetirement;
import io.companies.reindexer.index.IndexRetirement.InFlight;
import io.companies.reindexer.index.IndexRetirement.Retired;
import io.companies.reindexer.index.NewIndex;
import io.companies.reindexer.index.NewIndex.SwapOutcomeUnknownException;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.state.RunLedgerException;
import io.companies.reindexer.state.RunOwner;
import io.companies.reindexer.state.SliceLedger;
import io.companies.reindexer.state.SliceLedger.Status;

import io.quarkus.logging.Log;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Leads one reindex top to bottom: create a fresh index, plan the run as slices of ids, wait while every instance loads
 * them, catch up with what changed meanwhile (slice by slice, on every instance too), settle the index (final settings,
 * count, durable), check that it holds enough of the live index's documents ({@link ShrinkGuard}), swap the alias,
 * catch up with the changes made around the swap, and delete the retired indices. A failure before the swap deletes
 * the new index and leaves the alias where it was; a stop (the service shuts down, or the lock is lost) keeps the index
 * and its slices for the instance that takes the alias next to resume; a failure after the swap leaves the run for the
 * repair to finish. How a run ended is a {@link RunEnd}.
 */
@ApplicationScoped
public class Reindexer {

    // How often the leader looks at the slices of its run: more often during a catch-up, whose passes take about a
    // second, than during the load.
    private static final Duration LOAD_POLL = Duration.ofMillis(250);
    private static final Duration CATCH_UP_POLL = Duration.ofMillis(50);

    /**
     * When a catch-up runs and how many passes it may take. After the swap one pass suffices: it reads every row after
     * the swap, and its writes are conditional, so what the application writes from then on is never overwritten.
     */
    private enum CatchUpTime {
        BEFORE_SWAP("before the swap", 3),
        AFTER_SWAP("after the swap", 1);

        final String label;
        final int passes;

        CatchUpTime(String label, int passes) {
            this.label = label;
            this.passes = passes;
        }
    }

    @Inject
    Tracer tracer;

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    CompanySource source;

    @Inject
    SliceLedger slices;

    @Inject
    RunProgress progress;

    @Inject
    BuildDefinition build;

    private IndexNames names;
    private IndexDefinition definition;
    private IndexRetirement retirement;
    private ShrinkGuard shrinkGuard;

    @PostConstruct
    void init() {
        names = new IndexNames(config.indexPrefix());
        definition = build.index();
        retirement = new IndexRetirement(engine, config.swap().retireGrace(), config.swap().retireTimeout());
        shrinkGuard = new ShrinkGuard(engine, config.alias(), config.swap().minRatio(), progress::swapRefused);
    }

    /**
     * Runs a new run: its index must not exist yet.
     *
     * @param label names the run in the logs (the run and the request ids it serves)
     * @param force whether a request it serves lets it swap in an index the shrink guard would refuse
     */
    public RunEnd run(RunOwner owner, String label, String index, boolean force, RunControl control) {
        return ended(() -> {
            stage("check the cluster", null, () -> checkClusterCanTakeIt(index));
            NewIndex newIndex = stage("create", index, () -> create(index));
            return lead(owner, label, newIndex, force, control, () -> plan(owner.runId(), label, control));
        });
    }

    /**
     * Resumes a run that was stopped or interrupted before its swap: its index and slices are kept, its finished slices
     * are not done again.
     */
    public RunEnd resume(RunOwner owner, String label, String index, boolean force, RunControl control) {
        return ended(() -> {
            NewIndex newIndex = stage("resume", index, () -> NewIndex.resumed(engine, index, build.stamp()));
            Log.infof("Run %s: resuming with index %s", label, index);
            return lead(owner, label, newIndex, force, control, () -> {
                progress.expect(source.countPublished());
                control.slicesOpened();
            });
        });
    }

    /** How the run ended: the exceptions of its stages end here. */
    private static RunEnd ended(Supplier<RunResult> run) {
        try {
            return new RunEnd.Completed(run.get());
        } catch (UnfinishedRunException e) {
            return new RunEnd.Interrupted(e.stage(), e.index(), e.getMessage(), e);
        } catch (ReindexException e) {
            return new RunEnd.Failed(e.stage(), e.index(), e.getMessage(), e);
        } catch (RuntimeException e) {
            // Outside any stage: a defect, which fails the run all the same.
            return new RunEnd.Failed(null, null, e.getMessage(), e);
        }
    }

    private RunResult lead(RunOwner owner, String label, NewIndex newIndex, boolean force, RunControl control,
            VoidStage start) {
        String index = newIndex.name();
        long runId = owner.runId();
        try {
            stage("plan", index, start);
            Status loaded = stage("load", index, () -> awaitPass(runId, control, true));
            Log.infof("Run %s: sent %d documents (%d MB of NDJSON) to %s", label, loaded.documents(),
                    loaded.bytes() / 1_000_000, index);
            Status caughtUp = stage("catch up", index,
                    () -> catchUp(owner, label, control, CatchUpTime.BEFORE_SWAP, loaded));
            // Each step of the settle checks that the run is still this instance's: a leader deposed there stops.
            long documents = stage("refresh and verify", index,
                    () -> newIndex.settle(definition, caughtUp.documents(), config.index().activeShardsTimeout(),
                            () -> {
                                control.checkpoint();
                                progress.worked();
                            }));
            stage("shrink guard", index, () -> shrinkGuard.check(index, documents, force, label));
            AliasSwap swap = swap(newIndex, documents, control);
            InFlight inFlight = retirement.inFlightAfter(swap);
            Retired retired = catchUpAfterSwapAndRetire(owner, label, index, swap.deleted(), inFlight, control,
                    caughtUp);
            Log.infof("Run %s: alias %s now points to %s (%d documents); previous %s, deleted %s, kept %s", label,
                    config.alias(), index, documents, swap.previous(), retired.deleted(), retired.kept());
            Log.infof("Run %s: stage times: %s", label, progress.times());
            return new RunResult(index, swap.previous(), retired.deleted(), retired.kept(), documents);
        } catch (UnfinishedRunException e) {
            throw e;
        } catch (RuntimeException e) {
            // The run's own failure is what its outcome says; an index that could not be deleted is an orphan that
            // the next repair deletes.
            try {
                stopSlices(owner, label);
                control.checkOwned("deleting index " + index + " of the failed run");
                newIndex.deleteUnlessSwapped();
            } catch (RunStoppedException deposed) {
                throw new UnfinishedRunException(e.getMessage() + "; then: " + deposed.getMessage(), stageOf(e), index,
                        e);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Stops every instance's work on a failed run and waits until none holds a slice, at most a lease: their passes
     * then end on a stopped slice, not on an index that vanished under them, which their logs would report as a failure
     * of their own. (A request that still reaches the engine after the deletion creates nothing: see SliceWriter.)
     *
     * @throws RunStoppedException when the run is no longer this instance's: its new leader decides
     */
    private void stopSlices(RunOwner owner, String label) {
        long runId = owner.runId();
        if (!slices.stop(owner, "Run " + label + " failed: its slices are stopped")) {
            throw new RunStoppedException("Run " + label + " was taken over by another instance: its slices and its"
                    + " index are left to it");
        }
        Instant deadline = Instant.now().plus(config.slices().lease());
        long held;
        while ((held = slices.liveClaims(runId)) > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(CATCH_UP_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (held > 0) {
            Log.warnf("Run %s: %d slices still claimed after %s; deleting its index anyway", label, held,
                    config.slices().lease());
        }
    }

    /**
     * What is left of a run once the alias points to its index: catch up with the changes the owning application
     * wrote to the old index until the swap, then delete the retired indices. Also what the repair does for a run
     * that was interrupted there.
     *
     * @return {@link RunEnd.Completed} with what became of the retired indices, or {@link RunEnd.Interrupted}: the
     *         run stays swapping, for the next repair
     */
    public RunEnd finishAfterSwap(RunOwner owner, String label, String index, List<String> previous, long documents,
            List<String> retired, RunControl control) {
        return ended(() -> {
            Retired done = catchUpAfterSwapAndRetire(owner, label, index, retired, InFlight.unknown(Instant.now()),
                    control, slices.status(owner.runId()));
            return new RunResult(index, previous, done.deleted(), done.kept(), documents);
        });
    }

    /**
     * @param inFlight what the engine ran at the swap: the retired indices are deleted once that has ended
     * @param last where the slices stood when the run got here
     */
    private Retired catchUpAfterSwapAndRetire(RunOwner owner, String label, String index, List<String> retired,
            InFlight inFlight, RunControl control, Status last) {
        try {
            stage("catch up after swap", index, () -> {
                catchUp(owner, label, control, CatchUpTime.AFTER_SWAP, last);
                engine.closeWriters(index);
            });
            control.checkpoint();
            control.checkOwned("retiring " + retired);
            return stage("retire", index, () -> retirement.retire(retired, inFlight, progress::worked));
        } catch (ReindexException | RunStoppedException e) {
            throw new UnfinishedRunException(e.getMessage() + "; alias " + config.alias() + " points to " + index
                    + ", and the run is finished by the next repair", stageOf(e), index, e);
        }
    }

    /**
     * Checks what would make the run fail only after its load: an index where the alias should be, and replicas the
     * cluster has too few data nodes to place.
     */
    private void checkClusterCanTakeIt(String index) throws IOException {
        definition.checkPlaceable(engine.dataNodes());
        if (engine.isConcreteIndex(config.alias())) {
            throw new IllegalStateException("An index named " + config.alias() + " exists where the alias should be"
                    + " (an application wrote to it before any alias existed, and the engine created it): the alias"
                    + " cannot be moved onto it. Delete that index (DELETE /" + config.alias() + ") and request the"
                    + " rebuild again, which indexes every company; " + index + " was not created");
        }
    }

    private NewIndex create(String index) throws IOException {
        NewIndex newIndex = NewIndex.create(engine, definition, build.stamp(), index);
        Log.infof("Created index %s", index);
        return newIndex;
    }

    /** Cuts the published companies into slices of ids, open for every instance to load. */
    private void plan(long runId, String label, RunControl control) {
        progress.expect(source.countPublished());
        List<SliceLedger.Bounds> bounds = new ArrayList<>();
        int afterId = CompanySource.BEFORE_FIRST;
        for (int end : source.rangeEnds(config.slices().size())) {
            bounds.add(new SliceLedger.Bounds(afterId, end));
            afterId = end;
        }
        bounds.add(new SliceLedger.Bounds(afterId, CompanySource.LAST));
        slices.plan(runId, bounds);
        control.slicesOpened();
        Log.infof("Run %s: %d slices of at most %d companies, open to every instance", label, bounds.size(),
                config.slices().size());
    }

    /** Waits until every slice has done the current pass; throws when one of them failed. */
    private Status awaitPass(long runId, RunControl control, boolean loading) throws InterruptedException {
        Status last = null;
        while (true) {
            control.checkpoint();
            Status status = slices.status(runId);
            if (status.error() != null) {
                throw new IllegalStateException(status.error());
            }
            if (loading) {
                progress.indexed(status.documents());
            }
            if (last == null || status.done() > last.done() || status.pages() != last.pages()) {
                // A catch-up moves no document count, but each page read and each slice finished is work done.
                progress.worked();
            }
            last = status;
            if (status.finished()) {
                return status;
            }
            Thread.sleep((loading ? LOAD_POLL : CATCH_UP_POLL).toMillis());
        }
    }

    /**
     * Catches the index up with the changes the source took since its slices were read, pass after pass until one
     * finds none or the catch-up's passes have run: each pass is short, so the next one has little to do. Bounded,
     * because writers may never pause.
     *
     * @param last where the slices stood before: their last finished pass
     * @return where they stand after the last pass
     */
    private Status catchUp(RunOwner owner, String label, RunControl control, CatchUpTime when, Status last)
            throws InterruptedException {
        Status done = last;
        for (int pass = 1; pass <= when.passes; pass++) {
            control.checkpoint();
            if (!slices.openPass(owner, done.pass() + 1)) {
                throw new RunStoppedException("Run " + label + " was taken over by another instance: its catch-up is"
                        + " left to it");
            }
            control.slicesOpened();
            done = awaitPass(owner.runId(), control, false);
            Log.infof("Run %s: catch-up pass %d %s: %d documents indexed again or deleted", label, pass, when.label,
                    done.changes());
            if (done.changes() == 0) {
                break;
            }
        }
        return done;
    }

    private AliasSwap swap(NewIndex index, long documents, RunControl control) {
        try {
            return stage("swap", index.name(), () -> index.promote(config.alias(), names, config.retention(),
                    config.bulk().maxRetries(), config.bulk().initialBackoff(),
                    plan -> control.beforeSwap(documents, plan)));
        } catch (ReindexException e) {
            if (e.getCause() instanceof SwapOutcomeUnknownException) {
                throw new UnfinishedRunException(e.getMessage() + "; the next repair reads the alias back", "swap",
                        index.name(), e);
            }
            throw e;
        }
    }

    private interface Stage<T> {
        T run() throws IOException, InterruptedException;
    }

    private interface VoidStage {
        void run() throws IOException, InterruptedException;
    }

    private void stage(String stage, String index, VoidStage work) {
        stage(stage, index, () -> {
            work.run();
            return null;
        });
    }

    /** Runs one stage: reports it, times it, traces it, and names it and the index in any failure. */
    private <T> T stage(String stage, String index, Stage<T> work) {
        long start = progress.enter(stage);
        Span span = tracer.spanBuilder(stage).startSpan();
        try (Scope scope = span.makeCurrent()) {
            return work.run();
        } catch (ReindexException e) {
            throw e;
        } catch (RunStoppedException e) {
            throw new UnfinishedRunException(e.getMessage() + " (at stage '" + stage + "'); index " + index
                    + " is kept, and the instance that takes the alias next resumes the run", stage, index, e);
        } catch (RunLedgerException e) {
            // The service's own tables are out of reach (an outage, not the run's fault): like a stop, the run is
            // resumed once the database is back, which is also when its lock can be taken again.
            throw new UnfinishedRunException("The database is unavailable (at stage '" + stage + "'): "
                    + e.getMessage() + "; index " + index + " is kept, and the run is resumed once it is back", stage,
                    index, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReindexException("Interrupted at stage '" + stage + "'" + of(index), stage, index, e);
        } catch (IOException | RuntimeException e) {
            throw new ReindexException("Failed at stage '" + stage + "'" + of(index) + ": " + describe(e), stage, index,
                    e);
        } finally {
            span.end();
            progress.time(stage, start);
        }
    }

    /** What failed, in a sentence: a database failure by the database's own words, not by the statement it ran. */
    private static String describe(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return "the database failed (SQLState " + sql.getSQLState() + "): " + sql.getMessage();
            }
        }
        return e.getMessage();
    }

    private static String stageOf(RuntimeException e) {
        return e instanceof ReindexException failure ? failure.stage() : null;
    }

    private static String of(String index) {
        return index == null ? "" : " of index " + index;
    }
}
