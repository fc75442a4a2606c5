package io.companies.reindexer.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import io.quarkus.logging.Log;

/**
 * A session-level PostgreSQL advisory lock on one alias, held by its own connection: at most one run per alias across
 * all instances of the service. If the process dies, PostgreSQL ends the session and the lock with it; if the
 * process's machine vanishes, TCP keepalives end the session within about a minute and a half.
 * <p>
 * A session-level lock needs the same server session for the whole run: behind PgBouncer this takes session pooling
 * (transaction pooling hands each transaction to any session and would lose the lock).
 */
public final class AliasLock implements AutoCloseable {

    // The first key of the lock pair: this service's locks never collide with another application's.
    private static final String NAMESPACE = "companies-reindexer";
    // The server probes an idle client after 30 s, every 10 s, and ends the session after 6 unanswered probes; no
    // idle timeout of the server's may end this session, which waits idle for most of a run.
    private static final String SESSION_SETTINGS = "set tcp_keepalives_idle = 30; set tcp_keepalives_interval = 10;"
            + " set tcp_keepalives_count = 6; set idle_session_timeout = 0; set idle_in_transaction_session_timeout = 0";

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
            if (taken) {
                try (Statement settings = connection.createStatement()) {
                    settings.execute(SESSION_SETTINGS);
                }
            }
            return taken ? Optional.of(new AliasLock(connection, alias)) : Optional.empty();
        } finally {
            if (!taken) {
                connection.close();
            }
        }
    }

    /**
     * Throws unless this connection's own server session still holds the lock: a session can end, or be replaced by a
     * failover, while the connection looks valid, and another instance may then have taken the lock.
     */
    public void verifyHeld() {
        try (PreparedStatement held = connection.prepareStatement("""
                select count(*) from pg_locks where locktype = 'advisory' and granted and pid = pg_backend_pid()
                and classid = hashtext(?)::oid and objid = hashtext(?)::oid and objsubid = 2""")) {
            held.setQueryTimeout(10);
            held.setString(1, NAMESPACE);
            held.setString(2, alias);
            try (ResultSet rows = held.executeQuery()) {
                if (rows.next() && rows.getLong(1) == 1) {
                    return;
                }
            }
            throw new LostLockException("Lost the run lock of alias " + alias
                    + ": its database session no longer holds it, so another instance may have taken the run over");
        } catch (SQLException e) {
            throw new LostLockException("Lost the run lock of alias " + alias + ": its database session ended ("
                    + e.getMessage() + "), so another instance may have taken the run over");
        }
    }

    @Override
    public void close() {
        // The connection goes back to the pool: the lock must not stay with its session.
        try (connection;
                PreparedStatement unlock = connection.prepareStatement(
                        "select pg_advisory_unlock(hashtext(?), hashtext(?))")) {
            unlock.setString(1, NAMESPACE);
            unlock.setString(2, alias);
            unlock.execute();
        } catch (SQLException e) {
            Log.warnf("Failed to release the run lock of alias %s (released anyway when its session ends): %s", alias,
                    e.getMessage());
        }
    }

    /** The run lock is gone: the run must stop before its next step. */
    public static final class LostLockException extends RuntimeException {
        LostLockException(String message) {
            super(message);
        }
    }
}
