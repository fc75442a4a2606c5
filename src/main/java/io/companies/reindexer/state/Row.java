package io.companies.reindexer.state;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** The current row of a result, read by column name, SQL nulls as Java nulls. */
final class Row {

    /** Makes a value of a row. */
    interface Mapper<T> {
        T map(Row row) throws SQLException, IOException;
    }

    /** Takes a row. */
    interface Reader {
        void read(Row row) throws SQLException, IOException;
    }

    private final ResultSet rows;

    Row(ResultSet rows) {
        this.rows = rows;
    }

    String string(String column) throws SQLException {
        return rows.getString(column);
    }

    Long longOrNull(String column) throws SQLException {
        return rows.getObject(column, Long.class);
    }

    long longValue(String column) throws SQLException {
        return rows.getLong(column);
    }

    boolean bool(String column) throws SQLException {
        return rows.getBoolean(column);
    }

    double doubleValue(String column) throws SQLException {
        return rows.getDouble(column);
    }

    Instant instant(String column) throws SQLException {
        OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    List<String> strings(String column) throws SQLException {
        return List.of((String[]) rows.getArray(column).getArray());
    }

    byte[] bytes(String column) throws SQLException {
        return rows.getBytes(column);
    }
}
