package io.companies.reindexer.coordination;

import java.time.Instant;
import java.util.List;

import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.reindex.RunResult;

/** The outcomes of a run, one for each request it served: the same status, each under its own request id. */
final class RunOutcomes {

    private RunOutcomes() {
    }

    static List<ReindexCompleted> completed(List<String> requestIds, String alias, RunResult result,
            Instant startedAt, Instant completedAt) {
        return requestIds.stream().map(id -> ReindexCompleted.completed(id, alias, result.index(),
                result.previousIndices(), result.deletedIndices(), result.keptIndices(), result.documents(), startedAt,
                completedAt)).toList();
    }

    /** @param index the run's index, or null when it failed before it had one */
    static List<ReindexCompleted> failed(List<String> requestIds, String alias, String index, Instant startedAt,
            Instant completedAt, String error) {
        return requestIds.stream()
                .map(id -> ReindexCompleted.failed(id, alias, index, startedAt, completedAt, error)).toList();
    }
}
