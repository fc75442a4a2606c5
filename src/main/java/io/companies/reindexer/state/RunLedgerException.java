package io.companies.reindexer.state;

/** The service's own tables could not be read or written, typically because PostgreSQL is unavailable. */
public class RunLedgerException extends RuntimeException {

    public RunLedgerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether PostgreSQL refused a value: the data's fault, not an outage ({@link DatabaseFailure}). */
    public boolean isBadData() {
        return DatabaseFailure.of(this) == DatabaseFailure.BAD_DATA;
    }
}
