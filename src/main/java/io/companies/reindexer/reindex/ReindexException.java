package io.companies.reindexer.reindex;

/** A stage of a run failed; the message names the stage and the index. */
class ReindexException extends RuntimeException {

    private final String stage;
    private final String index;

    ReindexException(String message, String stage, String index, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.index = index;
    }

    String stage() {
        return stage;
    }

    /** The index the run had created, or null when it failed before creating one. */
    String index() {
        return index;
    }
}
