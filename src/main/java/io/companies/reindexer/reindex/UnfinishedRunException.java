package io.companies.reindexer.reindex;

/**
 * A run that must not be FAILED: it was stopped before its swap (the service shuts down, or lost the alias lock), and
 * the instance that takes the alias next resumes it from its slices; or it failed after its alias swap, or when the
 * engine could not tell whether the swap happened, so the alias may already point to its index: it stays recorded as
 * swapping, and the next repair reads the alias back and finishes it.
 */
public class UnfinishedRunException extends ReindexException {

    public UnfinishedRunException(String message, String index, Throwable cause) {
        super(message, index, cause);
    }
}
