package io.companies.reindexer.reindex;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusTest;

import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The owning application keeps writing while a run streams the companies: hundreds of changes of every kind land on
 * rows the run has already read, and the index the run reports must still equal the database exactly.
 */
@QuarkusTest
class ConcurrentWritesTest {

    private static final String ALIAS = "companies";
    private static final String PUBLISHED = "(is_published_find_a_supplier OR is_published_investment_support_directory)";
    // Companies the run has read for sure once this many documents are in its index: reads go in id order.
    private static final int READ_BEFORE_WRITING = 1000;
    private static final String FIRST_READ = "SELECT id FROM company_company WHERE " + PUBLISHED
            + " ORDER BY id LIMIT 600";

    /** Published companies the run has read: {@code limit} of them from {@code offset} among the first 600. */
    private static String firstRead(int offset, int limit) {
        return "SELECT id FROM (" + FIRST_READ + ") f ORDER BY id OFFSET " + offset + " LIMIT " + limit;
    }

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void changesCommittedDuringARunAreAllInTheIndexItReports() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        SearchIndices search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(6000, 0.17);
        long publishedBefore = rows.publishedCompanies();
        List<String> before = search.aliasTargets(ALIAS);
        String requestId = UUID.randomUUID().toString();

        try (TopicWatcher outcomes = topics.watchOutcomes(); Requests requests = topics.requests()) {
            requests.send(requestId, "{\"requestId\":\"" + requestId + "\"}");
            String index = await().atMost(Duration.ofSeconds(30)).until(() -> newIndex(search, before), i -> i != null);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> search.indexOperations(index) >= READ_BEFORE_WRITING);

            int changes = writeChangesOfEveryKind(rows);
            long indexedWhenDone = search.indexOperations(index);
            Instant writerDone = Instant.now();

            JsonNode outcome = json.readTree(outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT).value());
            assertThat(outcome.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(outcome.get("index").asText()).isEqualTo(index);
            assertThat(changes).isGreaterThanOrEqualTo(450);
            assertThat(indexedWhenDone).as("the run was still loading when the last change was committed")
                    .isLessThan(publishedBefore);
            assertThat(writerDone).isBefore(Instant.parse(outcome.get("completedAt").asText()));
            assertThat(outcome.get("documents").asLong()).isEqualTo(rows.publishedCompanies());
        }

        search.refresh(ALIAS);
        assertThat(indexedView(search)).isEqualTo(databaseView());
    }

    private static String newIndex(SearchIndices search, List<String> before) throws Exception {
        return search.indices("companies-*").stream().filter(name -> !before.contains(name)).findFirst().orElse(null);
    }

    /** Renames, unpublications, publications, deletions and inserts of companies and case studies. */
    private int writeChangesOfEveryKind(SourceRows rows) throws SQLException {
        String changedCaseStudies = "SELECT s.id FROM company_companycasestudy s WHERE s.is_published_case_study"
                + " AND s.company_id IN (" + firstRead(200, 300) + ") ORDER BY s.id";
        int changes = 0;
        changes += update(100, "UPDATE company_company SET name = name || ' (renamed)', modified = clock_timestamp()"
                + " WHERE id IN (" + firstRead(0, 100) + ")");
        changes += update(50, "UPDATE company_company SET is_published_find_a_supplier = false,"
                + " is_published_investment_support_directory = false, modified = clock_timestamp()"
                + " WHERE id IN (" + firstRead(100, 50) + ")");
        changes += update(50, "DELETE FROM company_company WHERE id IN (" + firstRead(150, 50) + ")");
        changes += update(50, "UPDATE company_company SET is_published_find_a_supplier = true,"
                + " modified = clock_timestamp() WHERE id IN (SELECT id FROM company_company WHERE NOT " + PUBLISHED
                + " AND id < 600 ORDER BY id LIMIT 50)");
        changes += update(60, "UPDATE company_companycasestudy SET title = title || ' (edited)',"
                + " modified = clock_timestamp() WHERE id IN (" + changedCaseStudies + " LIMIT 60)");
        changes += update(40, "DELETE FROM company_companycasestudy WHERE id IN (" + changedCaseStudies
                + " OFFSET 60 LIMIT 40)");
        changes += update(40, "UPDATE company_companycasestudy SET is_published_case_study = false,"
                + " modified = clock_timestamp() WHERE id IN (" + changedCaseStudies + " OFFSET 100 LIMIT 40)");
        for (int id : ids(firstRead(500, 40))) {
            rows.insertCaseStudy(id, "Added during the run", true);
            changes++;
        }
        for (int i = 0; i < 50; i++) {
            rows.insertCompany("Created during the run " + i, true, "{}");
            changes++;
        }
        return changes;
    }

    private int update(int expected, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            int changed = statement.executeUpdate(sql);
            assertThat(changed).as(sql).isEqualTo(expected);
            return changed;
        }
    }

    private List<Integer> ids(String sql) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                ids.add(result.getInt(1));
            }
        }
        return ids;
    }

    /** Every published company as "name | its published case study titles in id order", by id. */
    private Map<String, String> databaseView() throws SQLException {
        Map<String, String> view = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT c.id, c.name, coalesce(string_agg(s.title, ' / '"
                        + " ORDER BY s.id) FILTER (WHERE s.is_published_case_study), '')"
                        + " FROM company_company c LEFT JOIN company_companycasestudy s ON s.company_id = c.id"
                        + " WHERE " + PUBLISHED + " GROUP BY c.id, c.name")) {
            while (result.next()) {
                view.put(result.getString(1), result.getString(2) + " | " + result.getString(3));
            }
        }
        return view;
    }

    private Map<String, String> indexedView(SearchIndices search) throws Exception {
        Map<String, String> view = new TreeMap<>();
        for (JsonNode source : search.allSources(ALIAS)) {
            List<String> titles = new ArrayList<>();
            source.path("supplier_case_studies").forEach(study -> titles.add(study.path("title").asText()));
            view.put(source.get("pk").asText(), source.get("name").asText() + " | " + String.join(" / ", titles));
        }
        return view;
    }
}
