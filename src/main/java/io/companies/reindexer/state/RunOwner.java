package io.companies.reindexer.state;

/**
 * The instance that leads a run, and which take-over of the run it holds: a leader whose run was taken over (its lock
 * vanished while it worked) holds an older generation, and the ledger records none of its decisive steps.
 */
public record RunOwner(long runId, String instance, int generation) {
}
