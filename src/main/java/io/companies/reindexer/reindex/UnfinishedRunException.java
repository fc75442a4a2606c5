package io.companies.reindexer.reindex;

/**
 * A run failed after its alias swap, or when the engine could not tell whether the swap happened: the alias may
 * already point to the run's index, so the run cannot be FAILED. It stays recorded as swapping, and the next repair
 * reads the alias back and finishes it.
 */
public class UnfinishedRunException extends ReindexException {

    public UnfinishedRunException(String message, String index, Throwable cause) {
        super(message, index, cause);
    }
}
