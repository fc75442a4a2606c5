package io.companies.reindexer.state;

/** The service's own tables could not be read or written, typically because PostgreSQL is unavailable. */
public class RunLedgerException extends RuntimeException {

    public RunLedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
