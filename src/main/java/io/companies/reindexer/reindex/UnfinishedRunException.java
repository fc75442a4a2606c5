package io.companies.reindexer.reindex;

/**
 * A stage ended the run without an outcome ({@link RunEnd.Interrupted}): it was stopped before its swap, or failed
 * after it or at a swap whose outcome is unknown.
 */
class UnfinishedRunException extends ReindexException {

    UnfinishedRunException(String message, String stage, String index, Throwable cause) {
        super(message, stage, index, cause);
    }
}
