package io.companies.reindexer.reindex;

/** A run must end before its next step: the service is stopping, or another instance may have taken the run over. */
public class RunStoppedException extends RuntimeException {

    public RunStoppedException(String message) {
        super(message);
    }
}
