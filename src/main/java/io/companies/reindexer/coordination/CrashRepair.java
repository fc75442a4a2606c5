package io.companies.reindexer.coordination;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.index.IndexInfo;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.plumbing.RunMdc;
import io.companies.reindexer.reindex.BuildDefinition;
import io.companies.reindexer.reindex.Reindexer;
import io.companies.reindexer.reindex.RunControl;
import io.companies.reindexer.reindex.RunEnd;
import io.companies.reindexer.reindex.RunProgress;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.ClaimedRun;
import io.companies.reindexer.state.RunLedger.InterruptedRun;
import io.companies.reindexer.state.RunOwner;

import io.quarkus.logging.Log;

/**
 * Repairs what an interrupted run left behind. It runs whenever an instance takes the alias's run lock, so no run of
 * the alias is live: a run still recorded as running was interrupted (its process was killed or stopped, or lost its
 * database session), and an index of ours that no alias points to, no run completed and no run will resume is an
 * orphan.
 */
@ApplicationScoped
public class CrashRepair {

    @Inject
    SearchEngine engine;

    @Inject
    RunLedger ledger;

    @Inject
    Reindexer reindexer;

    @Inject
    RunProgress progress;

    @Inject
    ReindexConfig config;

    @Inject
    InstanceName instance;

    @Inject
    BuildDefinition build;

    /**
     * Gives every interrupted run of {@code alias} its outcome (finishing first the runs whose alias had moved), except
     * the one to resume, then deletes the orphan indices. Each run is taken over first, so that a leader that lost its
     * lock but still works records nothing more.
     *
     * @param controls the control of a run taken over, to finish it
     * @return the run interrupted before its swap that can be resumed: its slices are planned, its index is there, and
     *         it started within {@code reindex.slices.resume-within}
     * @throws IllegalStateException when a run whose alias moved could not be finished: the next repair tries again
     */
    public Optional<InterruptedRun> repair(String alias, IndexNames names, Function<ClaimedRun, RunControl> controls) {
        try {
            List<String> targets = engine.aliasTargets(alias);
            Optional<InterruptedRun> resumable = Optional.empty();
            for (InterruptedRun run : ledger.interrupted(alias)) {
                if (resumable.isEmpty() && whyNotResumable(run, targets) == null) {
                    resumable = Optional.of(run);
                    continue;
                }
                try (RunMdc mdc = RunMdc.run(run.id(), run.requestIds(), alias, run.index())) {
                    repair(run, alias, names, targets, controls);
                }
            }
            String kept = resumable.map(InterruptedRun::index).orElse(null);
            for (IndexInfo index : engine.indices(names.wildcard())) {
                // Killed between creating an index and finishing with it, or a failed run that could not delete it.
                if (names.isOurs(index.name()) && !targets.contains(index.name()) && !index.isComplete()
                        && !index.name().equals(kept)) {
                    List<String> aliases = engine.aliasesOf(index.name());
                    if (aliases.isEmpty()) {
                        Log.infof("Deleting orphan index %s, which no alias points to and no run completed",
                                index.name());
                        engine.deleteIndex(index.name());
                    } else {
                        Log.warnf("Orphan index %s kept: it carries the alias(es) %s", index.name(), aliases);
                    }
                }
            }
            return resumable;
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to repair what an interrupted run of alias " + alias + " left: "
                    + e.getMessage(), e);
        }
    }

    /** Takes {@code run} over and gives it its outcome, finishing it first if its alias moved. */
    private void repair(InterruptedRun run, String alias, IndexNames names, List<String> targets,
            Function<ClaimedRun, RunControl> controls) throws IOException {
        Optional<ClaimedRun> taken = ledger.takeOver(run, alias, instance.get(), build.fingerprint());
        if (taken.isEmpty()) {
            Log.warnf("Run %d ended while this instance took it over to repair it", run.id());
            return;
        }
        RunControl control = controls.apply(taken.get());
        if (!run.swapping() && !targets.contains(run.index()) && !ofThisBuild(run)) {
            startAgain(run, taken.get().owner(), control);
            return;
        }
        Function<Instant, List<ReindexCompleted>> outcomes = targets.contains(run.index())
                ? finishSwapped(run, taken.get().owner(), alias, names, control)
                : failInterrupted(run, alias, targets, control);
        ledger.finish(taken.get().owner(), outcomes);
    }

    /** Why an interrupted run cannot be resumed, or null when it can. */
    private String whyNotResumable(InterruptedRun run, List<String> targets) throws IOException {
        if (run.swapping() || targets.contains(run.index())) {
            return "it was swapping";
        }
        if (!ofThisBuild(run)) {
            return "another build of the service started it";
        }
        if (run.slices() == 0) {
            return "it had not planned its slices yet";
        }
        if (run.startedAt().isBefore(Instant.now().minus(config.slices().resumeWithin()))) {
            return "it started more than " + config.slices().resumeWithin() + " ago (reindex.slices.resume-within)";
        }
        if (!engine.exists(run.index())) {
            return "its index is gone";
        }
        return null;
    }

    private boolean ofThisBuild(InterruptedRun run) {
        return build.fingerprint().equals(run.definition());
    }

    /**
     * Interrupted before its swap by a build whose documents differ from this build's (a rolling deploy): its index
     * would mix both, so it is deleted and its requests wait for the next run, which this build leads.
     */
    private void startAgain(InterruptedRun run, RunOwner owner, RunControl control) throws IOException {
        control.checkOwned("deleting index " + run.index());
        engine.deleteIndex(run.index());
        String why = "Started again: another build of the service (definition " + run.definition() + ", this build "
                + build.fingerprint() + ") was interrupted before its swap; index " + run.index() + " was deleted";
        if (ledger.restart(owner, why)) {
            Log.infof("Run %d: %s; its requests %s wait for the next run", run.id(), why, run.requestIds());
        }
    }

    /**
     * Interrupted after its swap: searchers already read the new, verified index, so the run completes once it has
     * caught up with the changes made around the swap and deleted the indices it retired. The engine is trusted over
     * the run's state: a run still recorded as running whose index carries the alias swapped, and the commit that
     * recorded it was lost (a failover to an asynchronous replica, a restore); what its swap retired is then what a
     * swap would retire now, and which indices the alias left is not known.
     */
    private Function<Instant, List<ReindexCompleted>> finishSwapped(InterruptedRun run, RunOwner owner, String alias,
            IndexNames names, RunControl control) throws IOException {
        Log.infof("Run %d was interrupted after its alias swap (alias %s points to %s%s): finishing it", run.id(),
                alias, run.index(), run.swapping() ? "" : ", though the run was recorded as running");
        List<String> toRetire = run.swapping() ? run.deletedIndices()
                : AliasSwap.plan(alias, run.index(), List.of(), engine.indices(names.wildcard()), names,
                        config.retention()).deleted();
        long documents = run.documents() != null ? run.documents() : engine.count(run.index());
        progress.started(run.id(), run.requestIds(), run.index());
        RunEnd end = reindexer.finishAfterSwap(owner, run.id() + " " + run.requestIds(), run.index(),
                run.previousIndices(), documents, toRetire, control);
        // A swapped run cannot fail: what stops it is tried again by the next repair.
        switch (end) {
            case RunEnd.Completed completed -> {
                progress.ended("COMPLETED");
                return completedAt -> RunOutcomes.completed(run.requestIds(), alias, completed.result(),
                        run.startedAt(), completedAt);
            }
            case RunEnd.Failed failed -> throw unfinished(run, failed.reason(), failed.cause());
            case RunEnd.Interrupted interrupted -> throw unfinished(run, interrupted.reason(), interrupted.cause());
        }
    }

    private IllegalStateException unfinished(InterruptedRun run, String reason, Exception cause) {
        progress.ended("UNFINISHED");
        return new IllegalStateException("Run " + run.id() + " is not finished: " + reason, cause);
    }

    /**
     * Interrupted before its swap and not to be resumed, or at a swap after which the alias does not point to its
     * index: nothing that searchers read now comes from this run.
     */
    private Function<Instant, List<ReindexCompleted>> failInterrupted(InterruptedRun run, String alias,
            List<String> targets, RunControl control) throws IOException {
        String when = run.swapping() ? "at the alias swap (alias " + alias + " does not point to its index)"
                : "before the alias swap, and could not be resumed: " + whyNotResumable(run, targets);
        String index;
        try {
            control.checkOwned("deleting index " + run.index());
            engine.deleteIndex(run.index());
            index = "index " + run.index() + " was deleted";
        } catch (IllegalStateException e) {
            index = "index " + run.index() + " was kept: " + e.getMessage();
        }
        String error = "Interrupted " + when + "; instance " + run.instance() + " stopped or lost its database session"
                + " during the run; " + index + ", and alias " + alias + " points to " + targets;
        Log.infof("Run %d: %s", run.id(), error);
        return completedAt -> RunOutcomes.failed(run.requestIds(), alias, run.index(), run.startedAt(), completedAt,
                error);
    }
}
