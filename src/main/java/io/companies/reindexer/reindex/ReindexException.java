package io.companies.reindexer.reindex;

/**
 * A run failed at one stage; the message names the stage and the index. The alias was left untouched and the new
 * index, if one was created, was removed.
 */
public class ReindexException extends RuntimeException {

    private final String index;

    public ReindexException(String message, String index, Throwable cause) {
        super(message, cause);
        this.index = index;
    }

    /** The index the run had created, or null when it failed before creating one. */
    public String index() {
        return index;
    }
}
