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
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.InterruptedRun;
import io.quarkus.logging.Log;

/**
 * Repairs what a killed run left behind. It runs under the alias's run lock, so no run of the alias is live: a run
 * still recorded as running was interrupted (the process was killed, or lost its database), and an index of ours that
 * no alias points to and no run completed is an orphan.
 */
@ApplicationScoped
public class CrashRepair {

    @Inject
    SearchEngine engine;

    @Inject
    RunLedger ledger;

    /** Gives every interrupted run of {@code alias} its outcome, then deletes the orphan indices. */
    public void repair(String alias, IndexNames names) {
        try {
            List<String> targets = engine.aliasTargets(alias);
            for (InterruptedRun run : ledger.interrupted(alias)) {
                ledger.finish(run.id(), outcomesOf(run, alias, targets));
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

    private List<ReindexCompleted> outcomesOf(InterruptedRun run, String alias, List<String> targets)
            throws IOException {
        Instant now = Instant.now();
        if (run.swapping() && targets.contains(run.index())) {
            // Killed right after the swap: searchers already read the new, verified index, so the run did complete.
            Log.infof("Run %d was interrupted right after its alias swap: alias %s points to %s, recorded COMPLETED",
                    run.id(), alias, run.index());
            return run.requestIds().stream().map(id -> ReindexCompleted.completed(id, alias, run.index(),
                    run.previousIndices(), run.deletedIndices(), run.documents(), run.startedAt(), now)).toList();
        }
        engine.deleteIndex(run.index());
        String error = "Interrupted: the service stopped during the run, before the alias swap; index " + run.index()
                + " was deleted and alias " + alias + " still points to " + targets;
        Log.infof("Run %d: %s", run.id(), error);
        return run.requestIds().stream()
                .map(id -> ReindexCompleted.failed(id, alias, run.index(), run.startedAt(), now, error)).toList();
    }
}
