package io.companies.reindexer.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import io.quarkus.logging.Log;

/**
 * A session-level PostgreSQL advisory lock on one alias, held by its own connection: at most one run per alias across
 * all instances of the service. If the process dies, PostgreSQL ends the session and the lock with it.
 */
public final class AliasLock implements AutoCloseable {

    // The first key of the lock pair: this service's locks never collide with another application's.
    private static final String NAMESPACE = "companies-reindexer";

    private final Connection connection;
    private final String alias;

    private AliasLock(Connection connection, String alias) {
        this.connection = connection;
        this.alias = alias;
    }

    static Optional<AliasLock> tryTake(Connection connection, String alias) throws SQLException {
        boolean taken = false;
        try (PreparedStatement lock = connection.prepareStatement(
                "select pg_try_advisory_lock(hashtext(?), hashtext(?))")) {
            connection.setAutoCommit(true);
            lock.setString(1, NAMESPACE);
            lock.setString(2, alias);
            try (ResultSet rows = lock.executeQuery()) {
                rows.next();
                taken = rows.getBoolean(1);
            }
            return taken ? Optional.of(new AliasLock(connection, alias)) : Optional.empty();
        } finally {
            if (!taken) {
                connection.close();
            }
        }
    }

    /** Throws unless the lock's session is still alive: a run must not swap the alias after losing its lock. */
    public void verifyHeld() {
        try {
            if (connection.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            // Reported below.
        }
        throw new IllegalStateException("Lost the run lock of alias " + alias + ": its database session ended");
    }

    @Override
    public void close() {
        // The connection goes back to the pool: the lock must not stay with its session.
        try (connection; PreparedStatement unlock = connection.prepareStatement(
                "select pg_advisory_unlock(hashtext(?), hashtext(?))")) {
            unlock.setString(1, NAMESPACE);
            unlock.setString(2, alias);
            unlock.execute();
        } catch (SQLException e) {
            Log.warnf("Failed to release the run lock of alias %s (released anyway when its session ends): %s", alias,
                    e.getMessage());
        }
    }
}
