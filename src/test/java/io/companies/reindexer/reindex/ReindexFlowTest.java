package io.companies.reindexer.reindex;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The whole service against real PostgreSQL, Kafka and a real search engine, through public surfaces only: requests
 * produced on the topic, outcomes consumed from the topic, aliases and documents read over HTTP, rows over JDBC.
 */
@QuarkusTest
class ReindexFlowTest {

    private static final String ALIAS = "companies";
    private static final String OUR_INDICES = "companies-*";

    @Inject
    ServiceTopics topics;

    @TestHTTPResource("/q/health")
    URI health;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    /** 1 and 0 on a single node (the test profile); dev/test.sh also runs on a three-node cluster with 3 and 1. */
    @ConfigProperty(name = "reindex.index.shards")
    int shards;

    @ConfigProperty(name = "reindex.index.replicas")
    Optional<Integer> replicas;

    private final ObjectMapper json = new ObjectMapper();
    private SourceRows rows;
    private SearchIndices search;

    @BeforeEach
    void loadCompanies() throws Exception {
        rows = new SourceRows(dataSource);
        search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(300, 0.42);
    }

    private JsonNode reindex(String requestJson, String requestId) throws Exception {
        return topics.request(requestId, requestJson);
    }

    private JsonNode reindex(String requestId) throws Exception {
        return reindex("{\"requestId\":\"" + requestId + "\",\"requestedBy\":\"test\"}", requestId);
    }

    private static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    @Test
    void fullRunIndexesEveryPublishedCompanyAndMovesTheAlias() throws Exception {
        int hand = rows.insertCompany("Hand Made Ltd", true,
                "{\"financial\": [\"Audit\"], \"legal\": [\"Contracts\", \"Wills\"]}");
        int publishedStudy = rows.insertCaseStudy(hand, "Published study", true);
        rows.insertCaseStudy(hand, "Draft study", false);
        int hidden = rows.insertCompany("Hidden Ltd", false, "{}");
        List<String> before = search.aliasTargets(ALIAS);
        String requestId = newRequestId();

        JsonNode outcome = reindex(requestId);

        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
        assertThat(outcome.get("requestId").asText()).isEqualTo(requestId);
        assertThat(outcome.get("alias").asText()).isEqualTo(ALIAS);
        String index = outcome.get("index").asText();
        assertThat(index).matches("companies-[a-z0-9]{32}");
        assertThat(outcome.get("documents").asLong()).isEqualTo(rows.publishedCompanies()).isGreaterThan(150);
        assertThat(json.convertValue(outcome.get("previousIndices"), List.class)).isEqualTo(before);
        assertThat(outcome.get("error").isNull()).isTrue();
        Instant startedAt = Instant.parse(outcome.get("startedAt").asText());
        Instant completedAt = Instant.parse(outcome.get("completedAt").asText());
        assertThat(outcome.get("startedAt").asText()).matches(".*T.*\\.\\d{3}Z");
        assertThat(outcome.get("durationMs").asLong()).isEqualTo(Duration.between(startedAt, completedAt).toMillis());

        HttpResponse<String> healthAnswer = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(healthAnswer.statusCode()).as(healthAnswer.body()).isEqualTo(200);

        assertThat(search.aliasTargets(ALIAS)).containsExactly(index);
        assertThat(search.count(ALIAS)).isEqualTo(rows.publishedCompanies());
        JsonNode settings = search.settings(index);
        assertThat(settings.has("index.refresh_interval")).as("refresh back to the default: %s", settings).isFalse();
        assertThat(settings.has("index.translog.durability")).as("fsync back to the default: %s", settings).isFalse();
        assertThat(settings.get("index.number_of_shards").asText()).isEqualTo(String.valueOf(shards));
        JsonNode indexHealth = search.health(index);
        // By default, one replica wherever a second data node can hold it.
        int expectedReplicas = replicas.orElse(Math.min(1, indexHealth.get("number_of_data_nodes").asInt() - 1));
        assertThat(settings.get("index.number_of_replicas").asText()).as("replicas restored: %s", settings)
                .isEqualTo(String.valueOf(expectedReplicas));
        if (replicas.isEmpty()) {
            assertThat(settings.get("index.auto_expand_replicas").asText()).as(settings.toString()).isEqualTo("0-1");
        }
        assertThat(indexHealth.get("status").asText()).as("every copy active: %s", indexHealth).isEqualTo("green");
        assertThat(indexHealth.get("active_shards").asInt()).as(indexHealth.toString())
                .isEqualTo(shards * (1 + expectedReplicas));
        ObjectNode stored = (ObjectNode) search.source(ALIAS, String.valueOf(hand));
        ObjectNode expected = handWrittenDocument(hand, publishedStudy);
        // The order of these labels is not significant (jsonb does not keep the order of object keys).
        assertThat(stored.remove("expertise_products_services_labels"))
                .containsExactlyInAnyOrderElementsOf(expected.remove("expertise_products_services_labels"));
        assertThat(stored).isEqualTo(expected);
        assertThat(search.source(ALIAS, String.valueOf(hidden))).isNull();

        String everything = search.allSources(ALIAS).toString();
        assertThat(rows.privateValues()).hasSizeGreaterThan(1000)
                .allSatisfy(secret -> assertThat(everything).doesNotContain(secret));
    }

    private ObjectNode handWrittenDocument(int id, int caseStudyId) throws Exception {
        return (ObjectNode) json.readTree("""
                {"pk": "%d", "name": "Hand Made Ltd", "number": null, "company_type": "CHARITY", "employees": "51-200",
                 "logo": "", "facebook_url": "", "twitter_url": "", "linkedin_url": "https://linkedin.example/hand",
                 "date_of_creation": "1999-12-31", "modified": "2026-11-24T10:00:00.123Z",
                 "summary": "Hand-made summary", "description": "Colorful behavior of airplanes", "has_description": true,
                 "keywords": "hand, made", "sectors": ["AEROSPACE", "AIRPORTS"], "sectors_label": ["Aerospace", "Airports"],
                 "has_single_sector": false, "expertise_industries": ["AIRPORTS"],
                 "expertise_regions": ["NORTH_EAST", "NOWHERE"], "expertise_languages": ["fr", "de"],
                 "expertise_countries": ["FR"],
                 "expertise_labels": ["Airports", "North East", "NOWHERE", "France", "French", "German"],
                 "expertise_products_services": {"financial": ["Audit"], "legal": ["Contracts", "Wills"]},
                 "expertise_products_services_labels": ["Audit", "Contracts", "Wills"],
                 "slug": "hand-made", "website": "https://hand.example", "is_showcase_company": false,
                 "is_published_investment_support_directory": true, "is_published_find_a_supplier": false,
                 "case_study_count": 1,
                 "supplier_case_studies": [{"pk": "%d", "title": "Published study", "short_summary": "Short",
                   "description": "Long", "keywords": "runway", "image_one_caption": "One", "image_two_caption": "",
                   "image_three_caption": "", "testimonial": "Superb", "testimonial_company": "Client Ltd",
                   "testimonial_job_title": "CEO", "sector": "AIRPORTS", "slug": "study",
                   "website": "https://study.example", "testimonial_name": "Ann Smith"}]}
                """.formatted(id, caseStudyId));
    }

    @Test
    void secondRunMovesTheAliasAndDeletesTheOldIndex() throws Exception {
        String first = reindex(newRequestId()).get("index").asText();

        JsonNode outcome = reindex(newRequestId());

        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
        String second = outcome.get("index").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(json.convertValue(outcome.get("previousIndices"), List.class)).containsExactly(first);
        assertThat(json.convertValue(outcome.get("deletedIndices"), List.class)).contains(first);
        assertThat(search.aliasTargets(ALIAS)).containsExactly(second);
        assertThat(search.indices(OUR_INDICES)).containsExactly(second);
    }

    @Test
    void aDuplicateRequestIdGetsTheRecordedOutcomeAgainAndStartsNoRun() throws Exception {
        String requestId = newRequestId();
        JsonNode first = reindex(requestId);
        assertThat(first.get("status").asText()).isEqualTo("COMPLETED");

        JsonNode again = reindex(requestId);

        assertThat(again).isEqualTo(first);
        assertThat(search.aliasTargets(ALIAS)).containsExactly(first.get("index").asText());
        assertThat(search.indices(OUR_INDICES)).containsExactly(first.get("index").asText());
    }

    @Test
    void anAliasTheServiceDoesNotManageIsRejected() throws Exception {
        List<String> indicesBefore = search.indices(OUR_INDICES);
        for (String alias : List.of("suppliers", "Companies", "companies*", "_all", "", "../companies", "companies/_doc")) {
            String requestId = newRequestId();
            JsonNode outcome = reindex(json.createObjectNode().put("requestId", requestId).put("alias", alias).toString(),
                    requestId);
            assertThat(outcome.get("status").asText()).as(alias).isEqualTo("REJECTED");
            assertThat(outcome.get("alias").asText()).isEqualTo(alias);
            assertThat(outcome.get("error").asText()).contains("not managed");
            assertThat(outcome.get("index").isNull()).isTrue();
        }
        String requestId = newRequestId();
        JsonNode badTime = reindex("{\"requestId\":\"" + requestId + "\",\"requestedAt\":\"yesterday\"}", requestId);
        assertThat(badTime.get("status").asText()).isEqualTo("REJECTED");
        assertThat(badTime.get("error").asText()).contains("ISO-8601");
        assertThat(search.indices(OUR_INDICES)).isEqualTo(indicesBefore);
    }

    @Test
    void malformedValuesGoToTheDeadLetterTopicUnchangedAndConsumptionGoesOn() throws Exception {
        List<byte[]> malformed = List.of(
                "not json".getBytes(StandardCharsets.UTF_8),
                "[{}]".getBytes(StandardCharsets.UTF_8),
                "{\"requestId\": 42}".getBytes(StandardCharsets.UTF_8),
                "{} trailing".getBytes(StandardCharsets.UTF_8),
                new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}' },
                ("{\"a\":".repeat(40) + "1" + "}".repeat(40)).getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        try (TopicWatcher deadLetters = topics.watchDeadLetters();
                Requests requests = topics.requests()) {
            for (int i = 0; i < malformed.size(); i++) {
                requests.send(("bad-" + i).getBytes(StandardCharsets.UTF_8), malformed.get(i));
            }
            requests.send("tombstone".getBytes(StandardCharsets.UTF_8), null);
            for (int i = 0; i < malformed.size(); i++) {
                String key = "bad-" + i;
                ConsumerRecord<byte[], byte[]> dead = deadLetters.await(record -> hasKey(record, key), RUN_TIMEOUT);
                assertThat(dead.value()).isEqualTo(malformed.get(i));
                assertThat(dead.headers().lastHeader("dead-letter-reason")).as(key).isNotNull();
            }
            ConsumerRecord<byte[], byte[]> tombstone = deadLetters.await(record -> hasKey(record, "tombstone"), RUN_TIMEOUT);
            assertThat(tombstone.value()).isNull();
            assertThat(new String(tombstone.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                    .contains("tombstone");
        }

        assertThat(reindex(newRequestId()).get("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aDocumentTheMappingRejectsFailsTheRunAndLeavesTheAliasWhereItWas() throws Exception {
        String good = reindex(newRequestId()).get("index").asText();
        // Generated companies map product categories to lists of strings; a category that is an object here cannot
        // go into the same dynamic field, so the engine rejects this document in a late bulk request.
        int bad = rows.insertCompany("Broken Ltd", true, "{\"financial\": {\"nested\": true}}");

        JsonNode outcome = reindex(newRequestId());

        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("FAILED");
        assertThat(outcome.get("error").asText()).contains("document " + bad);
        String partial = outcome.get("index").asText();
        assertThat(partial).isNotEqualTo(good);
        assertThat(search.exists(partial)).isFalse();
        assertThat(search.aliasTargets(ALIAS)).containsExactly(good);
        assertThat(search.indices(OUR_INDICES)).containsExactly(good);
        assertThat(outcome.get("documents").isNull()).isTrue();
    }

    @Test
    void requestsDuringARunWaitAndAreServedTogetherByOneFollowUpRun() throws Exception {
        String first = newRequestId();
        String second = newRequestId();
        String third = newRequestId();
        List<JsonNode> outcomes = new ArrayList<>();
        try (TopicWatcher watcher = topics.watchOutcomes();
                Requests requests = topics.requests()) {
            // The first request starts a run; the others arrive once it has created its index.
            List<String> before = search.indices(OUR_INDICES);
            requests.send(first, "{\"requestId\":\"" + first + "\"}");
            await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(10))
                    .until(() -> search.indices(OUR_INDICES).stream().anyMatch(index -> !before.contains(index)));
            for (String id : List.of(second, third, second)) {
                requests.send(id, "{\"requestId\":\"" + id + "\"}");
            }
            for (String id : List.of(first, second, third)) {
                outcomes.add(json.readTree(watcher.await(record -> hasKey(record, id), RUN_TIMEOUT).value()));
            }
            assertThat(watcher.drain(Duration.ofSeconds(3)).stream().filter(record -> hasKey(record, second)))
                    .as("one outcome for a request id sent twice while waiting").hasSize(1);
        }

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.get("status").asText()).isEqualTo("COMPLETED"));
        String firstRun = outcomes.get(0).get("index").asText();
        String followUp = outcomes.get(1).get("index").asText();
        assertThat(outcomes.get(2).get("index").asText()).isEqualTo(followUp);
        assertThat(followUp).isNotEqualTo(firstRun);
        assertThat(json.convertValue(outcomes.get(1).get("previousIndices"), List.class)).containsExactly(firstRun);
        assertThat(search.aliasTargets(ALIAS)).containsExactly(followUp);
        assertThat(search.indices(OUR_INDICES)).containsExactly(followUp);
    }
}
