package io.companies.reindexer.reindex;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.source.CompanyDocument;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.testing.OwningApplication;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.SearchProbe;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.logging.Log;
import io.quarkus.test.junit.QuarkusTest;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * What searchers and the owning application see while runs rebuild the index: searches through the alias from
 * several threads and the application's writes through it never fail across swaps, the index equals the database
 * after runs during which the application kept changing rows and writing through the alias, a concrete index named
 * like the alias fails a run before it loads anything, and a run whose lock session is terminated stops cleanly.
 */
@QuarkusTest
class ZeroDowntimeTest {

    private static final String ALIAS = "companies";
    private static final int SWAPS = 3;

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    @Inject
    CompanySource source;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "quarkus.elasticsearch.hosts")
    String engineHost;

    private SourceRows rows;
    private SearchIndices search;

    @BeforeEach
    void loadCompanies() throws Exception {
        rows = new SourceRows(dataSource);
        search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(2_000, 0.37);
    }

    private URI engine() {
        return URI.create("http://" + engineHost);
    }

    private JsonNode reindex(TopicWatcher outcomes, Requests requests) throws Exception {
        String requestId = UUID.randomUUID().toString();
        requests.send(requestId, "{\"requestId\":\"" + requestId + "\"}");
        return json.readTree(outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT).value());
    }

    @Test
    void searchesThroughTheAliasNeverFailNorComeBackEmptyAcrossSwaps() throws Exception {
        long published = rows.publishedCompanies();
        reindexOnce();
        try (TopicWatcher outcomes = topics.watchOutcomes();
                Requests requests = topics.requests();
                SearchProbe probe = SearchProbe.start(engine(), ALIAS, 6, Duration.ofMillis(3), () -> published)) {
            for (int swap = 1; swap <= SWAPS; swap++) {
                JsonNode outcome = reindex(outcomes, requests);
                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                String index = outcome.get("index").asText();
                assertThat(search.aliasTargets(ALIAS)).containsExactly(index);
                assertThat(search.indices("companies-*")).as("the retired index is deleted before the outcome")
                        .containsExactly(index);
                assertThat(uncommittedTranslogOperations(index)).as("flushed before the swap").isZero();
            }
            probe.close();
            Log.infof("Search probe over %d swaps: %s", SWAPS, probe.summary());
            assertThat(probe.searches()).as(probe.summary()).isGreaterThan(300);
            assertThat(probe.failed()).as(probe.summary()).isZero();
            assertThat(probe.empty()).as(probe.summary()).isZero();
            assertThat(probe.wrongTotals()).as(probe.summary()).isZero();
        }
    }

    @Test
    void theIndexEqualsTheDatabaseAfterRunsDuringWhichTheApplicationWroteThroughTheAlias() throws Exception {
        reindexOnce();
        try (TopicWatcher outcomes = topics.watchOutcomes();
                Requests requests = topics.requests();
                SearchProbe probe = SearchProbe.start(engine(), ALIAS, 4, Duration.ofMillis(5), () -> -1)) {
            OwningApplication application = OwningApplication.start(dataSource, engine(), ALIAS, 10, this::documentOf,
                    42);
            try {
                for (int swap = 1; swap <= SWAPS; swap++) {
                    JsonNode outcome = reindex(outcomes, requests);
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                }
                // The application goes on writing after the last outcome, into the index that is live now.
                Thread.sleep(1_500);
            } finally {
                application.close();
            }
            probe.close();
            Log.infof("Owning application over %d swaps: %s; search probe: %s", SWAPS, application.summary(),
                    probe.summary());
            assertThat(application.changes()).as(application.summary()).isGreaterThanOrEqualTo(30);
            assertThat(application.refused()).as(application.summary()).isZero();
            assertThat(application.errors()).as(application.summary()).isZero();
            assertThat(probe.failed()).as(probe.summary()).isZero();
            assertThat(probe.empty()).as(probe.summary()).isZero();
        }
        search.refresh(ALIAS);
        assertThat(indexedDocuments()).isEqualTo(databaseDocuments());
    }

    @Test
    void aConcreteIndexNamedLikeTheAliasFailsTheRunBeforeItLoads() throws Exception {
        search.deleteAll("companies-*");
        engineClient.performRequest(new Request("PUT", "/" + ALIAS));
        try (TopicWatcher outcomes = topics.watchOutcomes(); Requests requests = topics.requests()) {
            JsonNode outcome = reindex(outcomes, requests);

            assertThat(outcome.get("status").asText()).isEqualTo("FAILED");
            assertThat(outcome.get("error").asText()).contains("An index named companies exists", "DELETE /companies");
            assertThat(outcome.get("index").isNull()).as("no index was created").isTrue();
            assertThat(outcome.get("durationMs").asLong()).isLessThan(5_000);
            assertThat(search.indices("companies-*")).isEmpty();
        } finally {
            engineClient.performRequest(new Request("DELETE", "/" + ALIAS));
        }
    }

    @Test
    void aRunWhoseLockSessionIsTerminatedStopsAndIsResumedIntoItsIndex() throws Exception {
        String good = reindexOnce();
        rows.generate(8_000, 0.38);
        double unfinished = registry.get("reindex.runs").tag("status", "UNFINISHED").counter().count();
        try (TopicWatcher outcomes = topics.watchOutcomes(); Requests requests = topics.requests()) {
            String requestId = UUID.randomUUID().toString();
            requests.send(requestId, "{\"requestId\":\"" + requestId + "\"}");
            String partial = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> search.filling(good, 1_000), index -> index != null);
            assertThat(terminateLockSessions()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> registry.get("reindex.runs").tag("status", "UNFINISHED").counter().count() > unfinished);
            assertThat(search.aliasTargets(ALIAS)).as("the stopped run left the alias alone").containsExactly(good);

            JsonNode outcome = json.readTree(outcomes.await(record -> hasKey(record, requestId), RUN_TIMEOUT).value());
            assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            assertThat(outcome.get("index").asText()).as("resumed into the index it had filled in part")
                    .isEqualTo(partial);
            assertThat(search.aliasTargets(ALIAS)).containsExactly(partial);
            assertThat(indexedDocuments()).isEqualTo(databaseDocuments());
        }
    }

    private String reindexOnce() throws Exception {
        try (TopicWatcher outcomes = topics.watchOutcomes(); Requests requests = topics.requests()) {
            JsonNode outcome = reindex(outcomes, requests);
            assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            return outcome.get("index").asText();
        }
    }

    /** The document of a company as the service builds it from the rows now, or null when it is not published. */
    private String documentOf(int companyId) {
        List<CompanySource.Item> items = source.published(List.of(companyId));
        try {
            return items.isEmpty() ? null
                    : json.writerFor(CompanyDocument.class).writeValueAsString(items.getFirst().document());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, JsonNode> databaseDocuments() throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT id FROM company_company WHERE"
                        + " is_published_find_a_supplier OR is_published_investment_support_directory ORDER BY id")) {
            while (result.next()) {
                ids.add(result.getInt(1));
            }
        }
        Map<String, JsonNode> documents = new TreeMap<>();
        for (int from = 0; from < ids.size(); from += 500) {
            for (CompanySource.Item item : source.published(ids.subList(from, Math.min(from + 500, ids.size())))) {
                documents.put(item.document().pk(), json.valueToTree(item.document()));
            }
        }
        return documents;
    }

    private Map<String, JsonNode> indexedDocuments() throws Exception {
        Map<String, JsonNode> documents = new TreeMap<>();
        for (JsonNode document : search.allSources(ALIAS)) {
            documents.put(document.get("pk").asText(), document);
        }
        return documents;
    }

    private long uncommittedTranslogOperations(String index) throws Exception {
        try (InputStream body = engineClient.performRequest(new Request("GET", "/" + index + "/_stats/translog"))
                .getEntity().getContent()) {
            return json.readTree(body).path("_all").path("primaries").path("translog").path("uncommitted_operations")
                    .asLong(-1);
        }
    }

    private int terminateLockSessions() throws Exception {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
                        + " WHERE locktype = 'advisory' AND objsubid = 2 AND granted"
                        + " AND classid = hashtext('companies-reindexer')::oid AND objid = hashtext('companies')::oid")) {
            result.next();
            return result.getInt(1);
        }
    }
}
