package io.companies.reindexer.state;

import java.sql.SQLException;

/** The service's own tables could not be read or written, typically because PostgreSQL is unavailable. */
public class RunLedgerException extends RuntimeException {

    public RunLedgerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether PostgreSQL refused a value (SQLState class 22, a data exception): the data's fault, not an outage. */
    public boolean isBadData() {
        for (Throwable cause = getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }
}
