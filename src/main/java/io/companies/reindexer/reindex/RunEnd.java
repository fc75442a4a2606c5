package io.companies.reindexer.reindex;

/** How a run ended, for its caller to record: each case with the stage it ended at, its index and why. */
public sealed interface RunEnd {

    /** The alias points to the run's index. */
    record Completed(RunResult result) implements RunEnd {
    }

    /**
     * The run failed before its swap: the alias was left alone and its index deleted.
     *
     * @param stage null when it failed before its first stage
     * @param index null when it failed before it had one
     */
    record Failed(String stage, String index, String reason, Exception cause) implements RunEnd {
    }

    /**
     * No outcome yet: the run was stopped (the service shuts down, the lock is lost, another instance took it over,
     * the database is out of reach), or failed after its swap or at a swap whose outcome is unknown. The next instance
     * to take the alias's lock resumes or finishes it.
     */
    record Interrupted(String stage, String index, String reason, Exception cause) implements RunEnd {
    }
}
