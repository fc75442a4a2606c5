package io.companies.reindexer.state;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What a failure means for the database, the one rule every caller uses: PostgreSQL refusing a value (SQLState class
 * 22, a data exception) is the data's fault, and any other database failure is an outage that passes.
 */
public enum DatabaseFailure {
    /** A value PostgreSQL refuses: retrying cannot help. */
    BAD_DATA,
    /** The database failed or is out of reach: retrying once it is back can. */
    OUTAGE,
    /** Not a database failure. */
    NONE;

    /**
     * Classifies {@code failure} by the first {@link SQLException} in its causes; a {@link RunLedgerException} without
     * one is an outage. Narayana reports a commit that failed as a {@code RollbackException} that carries the
     * resource's failure as a suppressed exception, not as its cause, so suppressed exceptions are looked at too.
     */
    public static DatabaseFailure of(Throwable failure) {
        Deque<Throwable> toSee = new ArrayDeque<>(List.of(failure));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        boolean ledger = false;
        while (!toSee.isEmpty()) {
            Throwable next = toSee.pop();
            if (!seen.add(next)) {
                continue;
            }
            if (next instanceof SQLException sql) {
                return sql.getSQLState() != null && sql.getSQLState().startsWith("22") ? BAD_DATA : OUTAGE;
            }
            ledger |= next instanceof RunLedgerException;
            if (next.getCause() != null) {
                toSee.push(next.getCause());
            }
            toSee.addAll(List.of(next.getSuppressed()));
        }
        return ledger ? OUTAGE : NONE;
    }
}
