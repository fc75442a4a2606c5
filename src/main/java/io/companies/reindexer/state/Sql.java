package io.companies.reindexer.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement on the service's own tables, with {@code :named} parameters ({@code ::} stays a cast). JDBC knows only
 * positional ones; naming them keeps each statement readable beside the values it takes.
 * <p>
 * Why not Hibernate, as {@code source/} uses: nearly every statement here is PostgreSQL at work ({@code for update skip
 * locked}, {@code on conflict}, {@code update … returning}, {@code clock_timestamp()}, fencing conditions in the same
 * statement), which would stay the same SQL as native queries, plus entity classes that only mirror the rows; here a
 * newcomer reads each statement once, beside its values.
 */
final class Sql {

    private static final Pattern PARAMETER = Pattern.compile("(?<!:):([a-zA-Z_][a-zA-Z0-9_]*)");

    private final String jdbc;
    private final List<String> names = new ArrayList<>();

    private Sql(String sql) {
        Matcher parameter = PARAMETER.matcher(sql);
        StringBuilder jdbc = new StringBuilder();
        while (parameter.find()) {
            names.add(parameter.group(1));
            parameter.appendReplacement(jdbc, "?");
        }
        parameter.appendTail(jdbc);
        this.jdbc = jdbc.toString();
    }

    static Sql of(String sql) {
        return new Sql(sql);
    }

    /**
     * Prepares the statement with its parameters, given as name, value, name, value...: an {@link Instant} is sent as
     * a {@code timestamptz}, a {@code String[]} as a {@code varchar[]}, an {@code Integer[]} as an {@code integer[]}.
     */
    PreparedStatement prepare(Connection connection, Object... namesAndValues) throws SQLException {
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            values.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        PreparedStatement statement = connection.prepareStatement(jdbc);
        try {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (!values.containsKey(name)) {
                    throw new IllegalArgumentException("No value for :" + name + " in " + jdbc);
                }
                Object value = values.get(name);
                statement.setObject(i + 1, switch (value) {
                    case Instant instant -> OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
                    case String[] strings -> connection.createArrayOf("varchar", strings);
                    case Integer[] ints -> connection.createArrayOf("integer", ints);
                    case null, default -> value;
                });
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }
}
