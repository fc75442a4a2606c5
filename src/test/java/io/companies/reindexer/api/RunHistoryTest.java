package io.companies.reindexer.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.state.HistoryRetention;
import io.companies.reindexer.state.HistoryRetention.Pruned;
import io.companies.reindexer.state.RunLedger;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The history in {@code reindexer.reindex_run} and {@code reindexer.reindex_request} stays bounded: what pruning
 * deletes and keeps, on rows written with old timestamps under aliases of this test's own; and the runs read page by
 * page.
 */
@QuarkusTest
class RunHistoryTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
    private static final String ANSWERED = "{\"status\": \"REJECTED\"}";

    @Inject
    HistoryRetention retention;

    @Inject
    DataSource dataSource;

    @Inject
    RunLedger ledger;

    @TestHTTPResource("/")
    URI base;

    private final String alias = "history-" + UUID.randomUUID().toString().substring(0, 8);
    private final String otherAlias = alias + "-other";
    private final Instant now = Instant.now();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void deleteOurRows() throws SQLException {
        execute("delete from reindexer.reindex_request where alias in (?, ?)");
        execute("delete from reindexer.reindex_run where alias in (?, ?)");
    }

    @Test
    void pruningDeletesWhatEndedBeforeTheRetentionAndKeepsTheLatestTheUnfinishedAndTheWaiting() throws Exception {
        long oldCompleted = finishedRun(alias, "COMPLETED", days(200));
        requests(oldCompleted, alias, "old-completed-", 1200, days(201), false);
        long oldFailed = finishedRun(alias, "FAILED", days(100));
        requests(oldFailed, alias, "old-failed-", 1, days(101), false);
        slice(oldFailed);
        long running = unfinishedRun("RUNNING", days(200));
        requests(running, alias, "running-", 1, days(200), false);
        long swapping = unfinishedRun("SWAPPING", days(150));
        long recent = finishedRun(alias, "COMPLETED", days(10));
        requests(recent, alias, "recent-", 1, days(10), false);
        long latest1 = finishedRun(alias, "COMPLETED", days(120));
        requests(latest1, alias, "latest-", 1, days(120), false);
        long latest2 = finishedRun(alias, "FAILED", days(95));
        long latest3 = finishedRun(alias, "COMPLETED", days(91));
        requests(null, alias, "old-answered-", 2500, days(100), true);
        requests(null, alias, "recent-answered-", 1, days(10), true);
        requests(null, alias, "old-waiting-", 1, days(200), false);
        long foreign = finishedRun(otherAlias, "COMPLETED", days(200));
        requests(foreign, otherAlias, "foreign-", 1, days(200), false);
        requests(null, otherAlias, "foreign-answered-", 1, days(200), true);

        Pruned pruned = retention.prune(alias, now.minus(days(90)), 3);

        assertThat(pruned).isEqualTo(new Pruned(2, 1200 + 1 + 2500));
        assertThat(runIds(alias)).containsExactly(running, swapping, recent, latest1, latest2, latest3);
        assertThat(requestIds(alias)).containsExactlyInAnyOrder("running-1", "recent-1", "latest-1",
                "recent-answered-1", "old-waiting-1");
        assertThat(count("select count(*) from reindexer.run_slice where run_id = " + oldFailed)).isZero();
        assertThat(runIds(otherAlias)).containsExactly(foreign);
        assertThat(requestIds(otherAlias)).containsExactlyInAnyOrder("foreign-1", "foreign-answered-1");
        assertThat(retention.prune(alias, now.minus(days(90)), 3)).isEqualTo(new Pruned(0, 0));
    }

    @Test
    void theRunsArePagedNewestFirstWithANextLinkAndBoundedRequestIds() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(finishedRun(alias, "COMPLETED", days(1)));
        }
        requests(ids.getFirst(), alias, "many-", 150, days(1), false);

        HttpResponse<String> first = get(base.resolve("/reindex/runs?limit=2&before=" + (ids.getLast() + 1)));
        assertThat(runIdsOf(first)).containsExactly(ids.get(4), ids.get(3));
        HttpResponse<String> second = get(next(first));
        assertThat(runIdsOf(second)).containsExactly(ids.get(2), ids.get(1));
        HttpResponse<String> third = get(next(second));
        JsonNode oldest = json.readTree(third.body()).get(0);

        assertThat(next(first).getQuery()).isEqualTo("limit=2&before=" + ids.get(3));
        assertThat(oldest.get("id").asLong()).isEqualTo(ids.getFirst());
        assertThat(oldest.get("requestCount").asLong()).isEqualTo(150);
        assertThat(oldest.get("requestIds")).hasSize(100);
        assertThat(oldest.get("requestIds").get(0).asText()).startsWith(alias + "/many-");
    }

    @Test
    void aRunningRunShowsTheProgressItsInstanceRecordedInItsRowOnEveryInstance() throws Exception {
        long running = unfinishedRun("RUNNING", Duration.ofMinutes(1));
        long completed = finishedRun(alias, "COMPLETED", Duration.ofMinutes(2));
        // What the instance that runs it records on each tick; this instance never ran it.
        ledger.progress(running, "load", 2500, 10_000, 812.4, 9);
        ledger.progress(completed, "retire", 10_000, 10_000, 900, 0);

        JsonNode runs = json.readTree(get(base.resolve("/reindex/runs?limit=2&before=" + (running + 1))).body());

        JsonNode progress = runs.get(0).get("progress");
        assertThat(runs.get(0).get("id").asLong()).isEqualTo(running);
        assertThat(progress.get("stage").asText()).isEqualTo("load");
        assertThat(progress.get("documents").asLong()).isEqualTo(2500);
        assertThat(progress.get("expected").asLong()).isEqualTo(10_000);
        assertThat(progress.get("percent").asDouble()).isEqualTo(25.0);
        assertThat(progress.get("documentsPerSecond").asDouble()).isEqualTo(812.0);
        assertThat(progress.get("etaSeconds").asLong()).isEqualTo(9);
        assertThat(Instant.parse(progress.get("updatedAt").asText())).isAfter(now.minusSeconds(60));
        assertThat(runs.get(1).get("progress").isNull()).as("an ended run shows no progress").isTrue();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + Tokens.viewer()).build(), BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer;
    }

    private static URI next(HttpResponse<String> page) {
        String link = page.headers().firstValue("Link").orElseThrow();
        Matcher next = NEXT.matcher(link);
        assertThat(next.find()).as(link).isTrue();
        return URI.create(next.group(1));
    }

    private List<Long> runIdsOf(HttpResponse<String> page) throws Exception {
        List<Long> ids = new ArrayList<>();
        json.readTree(page.body()).forEach(run -> ids.add(run.get("id").asLong()));
        return ids;
    }

    private long finishedRun(String runAlias, String state, Duration endedAgo) throws SQLException {
        return insertRun(runAlias, state, now.minus(endedAgo).minusSeconds(60), now.minus(endedAgo));
    }

    private long unfinishedRun(String state, Duration startedAgo) throws SQLException {
        return insertRun(alias, state, now.minus(startedAgo), null);
    }

    private long insertRun(String runAlias, String state, Instant startedAt, Instant completedAt) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into reindexer.reindex_run (alias, index_name, state, started_at, completed_at, instance)
                        values (?, ?, ?, ?, ?, 'run-history-test') returning id""")) {
            insert.setString(1, runAlias);
            insert.setString(2, runAlias + "-" + UUID.randomUUID());
            insert.setString(3, state);
            insert.setObject(4, utc(startedAt));
            insert.setObject(5, completedAt == null ? null : utc(completedAt));
            try (ResultSet rows = insert.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** {@code count} requests named {@code prefix1, prefix2, ...}, served by {@code runId} unless it is null. */
    private void requests(Long runId, String requestAlias, String prefix, int count, Duration receivedAgo,
            boolean answered) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("""
                        insert into reindexer.reindex_request (request_id, alias, received_at, run_id, outcome)
                        select ? || g, ?, ?, ?, ?::jsonb from generate_series(1, ?) g""")) {
            insert.setString(1, alias + "/" + prefix);
            insert.setString(2, requestAlias);
            insert.setObject(3, utc(now.minus(receivedAgo)));
            insert.setObject(4, runId);
            insert.setString(5, answered ? ANSWERED : null);
            insert.setInt(6, count);
            insert.executeUpdate();
        }
    }

    private void slice(long runId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "insert into reindexer.run_slice (run_id, slice, after_id, last_id, fingerprints)"
                                + " values (?, 0, 0, 10, ?)")) {
            insert.setLong(1, runId);
            insert.setBytes(2, new byte[12]);
            insert.executeUpdate();
        }
    }

    private List<Long> runIds(String runAlias) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select id from reindexer.reindex_run where alias = ? order by id")) {
            select.setString(1, runAlias);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        return ids;
    }

    private List<String> requestIds(String requestAlias) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "select request_id from reindexer.reindex_request where alias = ?")) {
            select.setString(1, requestAlias);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1).substring(alias.length() + 1));
                }
            }
        }
        return ids;
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(sql);
                ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, alias);
            statement.setString(2, otherAlias);
            statement.executeUpdate();
        }
    }

    private static Duration days(int days) {
        return Duration.ofDays(days);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
