package io.companies.reindexer.reindex;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.index.IndexInfo;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.messaging.ReindexCompleted;
import io.companies.reindexer.source.Fingerprints;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.InterruptedRun;
import io.quarkus.logging.Log;

/**
 * Repairs what an interrupted run left behind. It runs whenever an instance takes the alias's run lock, so no run of
 * the alias is live: a run still recorded as running was interrupted (its process was killed, or lost its database
 * session), and an index of ours that no alias points to and no run completed is an orphan.
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
    RunTracker tracker;

    /**
     * Gives every interrupted run of {@code alias} its outcome (finishing first the runs whose alias had moved), then
     * deletes the orphan indices.
     *
     * @throws UnfinishedRunException when a run whose alias moved could not be finished: the next repair tries again
     */
    public void repair(String alias, IndexNames names, RunControl control) {
        try {
            List<String> targets = engine.aliasTargets(alias);
            for (InterruptedRun run : ledger.interrupted(alias)) {
                List<ReindexCompleted> outcomes = run.swapping() && targets.contains(run.index())
                        ? finishSwapped(run, alias, control)
                        : failInterrupted(run, alias, targets);
                ledger.finish(run.id(), outcomes);
            }
            for (IndexInfo index : engine.indices(names.wildcard())) {
                // Killed between creating an index and finishing with it, or a failed run that could not delete it.
                if (names.isOurs(index.name()) && !targets.contains(index.name()) && !index.isComplete()) {
                    Log.infof("Deleting orphan index %s, which no alias points to and no run completed", index.name());
                    engine.deleteIndex(index.name());
                }
            }
        } catch (IOException e) {
            throw new ReindexException("Failed to repair what an interrupted run of alias " + alias + " left: "
                    + e.getMessage(), null, e);
        }
    }

    /**
     * Interrupted after its swap: searchers already read the new, verified index, so the run completes once it has
     * caught up with the changes made around the swap and deleted the indices it retired.
     */
    private List<ReindexCompleted> finishSwapped(InterruptedRun run, String alias, RunControl control)
            throws IOException {
        Log.infof("Run %d was interrupted after its alias swap (alias %s points to %s): finishing it", run.id(), alias,
                run.index());
        tracker.started(run.id(), run.requestIds(), run.index());
        try (Fingerprints indexed = new Fingerprints()) {
            ledger.fingerprints(run.id(), indexed::addChunk);
            reindexer.finishAfterSwap(run.id() + " " + run.requestIds(), run.index(), indexed, run.deletedIndices(),
                    control, new StageTimes());
            tracker.ended("COMPLETED");
        } catch (RuntimeException e) {
            tracker.ended("UNFINISHED");
            throw e;
        }
        Instant now = Instant.now();
        return run.requestIds().stream().map(id -> ReindexCompleted.completed(id, alias, run.index(),
                run.previousIndices(), run.deletedIndices(), run.documents(), run.startedAt(), now)).toList();
    }

    /**
     * Interrupted before its swap, or at a swap after which the alias does not point to its index: nothing that
     * searchers read now comes from this run.
     */
    private List<ReindexCompleted> failInterrupted(InterruptedRun run, String alias, List<String> targets)
            throws IOException {
        String index;
        try {
            engine.deleteIndex(run.index());
            index = "index " + run.index() + " was deleted";
        } catch (IllegalStateException e) {
            index = "index " + run.index() + " was kept: " + e.getMessage();
        }
        String when = run.swapping() ? "at the alias swap (alias " + alias + " does not point to its index)"
                : "before the alias swap";
        String error = "Interrupted " + when + ": instance " + run.instance() + " stopped or lost its database session"
                + " during the run; " + index + ", and alias " + alias + " points to " + targets;
        Log.infof("Run %d: %s", run.id(), error);
        Instant now = Instant.now();
        return run.requestIds().stream()
                .map(id -> ReindexCompleted.failed(id, alias, run.index(), run.startedAt(), now, error)).toList();
    }
}
