package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.ServiceTopics.RUN_TIMEOUT;
import static io.companies.reindexer.testing.ServiceTopics.hasKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.companies.reindexer.api.Tokens;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The packaged jar, started by Quarkus, driven over HTTP with bearer tokens: {@code POST /reindex} goes through the
 * same rules as the event and its outcome reaches Kafka with CloudEvents headers; the run, health and metrics are
 * visible over HTTP, a call without a token is refused, and the prod profile serves no API description.
 */
@QuarkusIntegrationTest
@TestProfile(HttpApiIT.OwnAliasAndTopics.class)
class HttpApiIT {

    /**
     * An alias and topics of its own, so this service never serves or sees another test's requests; and the tests'
     * token issuer, as an operator would configure it (the packaged service runs the prod profile).
     */
    public static class OwnAliasAndTopics implements QuarkusTestProfile {
        static final String ALIAS = "companies-http";
        static final String COMPLETED = "http-it-reindex-completed";

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(Tokens.verification());
            overrides.putAll(Map.of("reindex.alias", ALIAS, "reindex.topics.requested", "http-it-reindex-requested",
                    "reindex.topics.completed", COMPLETED));
            // The packaged service gets the test command's quarkus.* properties, not this one: the same broker as the
            // test's watcher (PackagedServices).
            overrides.put("kafka.bootstrap.servers", System.getProperty("kafka.bootstrap.servers", "localhost:9092"));
            return overrides;
        }
    }

    private static final PackagedServices services = new PackagedServices();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final URI base = URI.create("http://localhost:" + Integer.getInteger("quarkus.http.test-port", 8081));

    @AfterAll
    static void deleteOurIndices() throws Exception {
        services.search().deleteAll(OwnAliasAndTopics.ALIAS + "-*");
        services.close();
    }

    @Test
    void aRequestOverHttpRunsAndIsVisibleEverywhere() throws Exception {
        SourceRows rows = new SourceRows(services.dataSource());
        rows.reset();
        rows.generate(500, 0.77);
        String requestId = UUID.randomUUID().toString();
        String fresh = getWithoutToken("/q/metrics").body();
        for (String status : List.of("COMPLETED", "FAILED", "UNFINISHED")) {
            assertThat(fresh).as("a fresh instance exports every run status")
                    .contains("reindex_runs_total{status=\"" + status + "\"} 0.0");
        }
        for (String status : List.of("COMPLETED", "FAILED", "SKIPPED", "REJECTED")) {
            assertThat(fresh).contains("reindex_outcomes_total{status=\"" + status + "\"} 0.0");
        }
        assertThat(fresh).contains("reindex_run_active_seconds_active_count 0.0").contains("reindex_swap_refused_total 0.0")
                .contains("reindex_alias_last_swap_seconds{alias=\"" + OwnAliasAndTopics.ALIAS + "\"}")
                .contains("reindex_definition_current{alias=\"" + OwnAliasAndTopics.ALIAS + "\"}");

        try (TopicWatcher outcomes = services.watch(OwnAliasAndTopics.COMPLETED)) {
            HttpResponse<String> accepted = post("{\"requestId\":\"" + requestId + "\",\"requestedBy\":\"http-it\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            assertThat(json.readTree(accepted.body()).get("decision").asText()).isEqualTo("ACCEPTED");
            assertThat(accepted.headers().firstValue("Location")).hasValueSatisfying(
                    location -> assertThat(location).endsWith("/reindex/runs/" + requestId));

            JsonNode request = await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(250))
                    .until(() -> json.readTree(get("/reindex/runs/" + requestId).body()),
                            view -> view.get("state").asText().equals("COMPLETED"));
            assertThat(request.get("outcome").get("documents").asLong()).isEqualTo(rows.publishedCompanies());

            ConsumerRecord<byte[], byte[]> record = outcomes.await(r -> hasKey(r, requestId), RUN_TIMEOUT);
            assertThat(json.readTree(record.value())).isEqualTo(request.get("outcome"));
            Map<String, String> headers = new HashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            assertThat(headers).containsEntry("ce_specversion", "1.0")
                    .containsEntry("ce_id", requestId + ":COMPLETED")
                    .containsEntry("ce_type", "io.companies.reindex.completed")
                    .containsEntry("ce_source", "urn:companies-reindexer")
                    .containsEntry("content-type", "application/json")
                    .containsKey("ce_time");
        }

        assertThat(json.readTree(post("{\"requestId\":\"" + requestId + "\"}").body()).get("decision").asText())
                .isEqualTo("REPUBLISHED");
        assertThat(json.readTree(post("{\"alias\":\"suppliers\"}").body()).get("decision").asText())
                .isEqualTo("REJECTED");
        HttpResponse<String> malformed = post("[1]");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json.readTree(malformed.body()).get("detail").asText()).isNotBlank();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(base.resolve("/reindex"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(json.readTree(anonymous.body()).get("status").asInt()).isEqualTo(401);

        JsonNode runs = json.readTree(get("/reindex/runs").body());
        assertThat(runs.get(0).get("requestIds").get(0).asText()).isEqualTo(requestId);
        assertThat(runs.get(0).get("state").asText()).isEqualTo("COMPLETED");
        assertThat(get("/reindex/runs/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
        JsonNode definition = json.readTree(get("/reindex/definition").body());
        assertThat(definition.get("index").asText()).isEqualTo(runs.get(0).get("index").asText());
        assertThat(definition.get("indexFingerprint").asText()).isEqualTo(definition.get("fingerprint").asText())
                .matches("[0-9a-f]{32}");
        assertThat(definition.get("matches").asBoolean()).isTrue();

        assertThat(getWithoutToken("/q/health/live").statusCode()).isEqualTo(200);
        assertThat(getWithoutToken("/q/health/ready").statusCode()).isEqualTo(200);
        assertThat(getWithoutToken("/q/metrics").body()).contains("reindex_runs_total{status=\"COMPLETED\"} 1.0")
                .contains("reindex_bulk_requests_seconds_count").contains("reindex_documents_indexed_total")
                .contains("reindex_outcomes_total{status=\"REJECTED\"}");
        long completedAt = Instant.parse(runs.get(0).get("completedAt").asText()).getEpochSecond();
        String afterRun = await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1))
                .until(() -> getWithoutToken("/q/metrics").body(), metrics -> lastSwap(metrics) >= completedAt
                        && metrics.contains("reindex_definition_current{alias=\"" + OwnAliasAndTopics.ALIAS
                                + "\"} 1.0"));
        assertThat(lastSwap(afterRun)).isLessThan(completedAt + 2);
        for (String metric : alertMetrics()) {
            assertThat(afterRun).as("the alert rules name metrics the service exports").contains(metric);
        }
        for (String metric : dashboardMetrics()) {
            assertThat(afterRun).as("the dashboard names metrics the service exports").containsPattern(
                    "(?m)^" + metric + "[{ ]");
        }
        assertThat(getWithoutToken("/q/openapi").statusCode()).isEqualTo(404);
        assertThat(getWithoutToken("/q/swagger-ui/").statusCode()).isEqualTo(404);
    }

    private static double lastSwap(String metrics) {
        Matcher value = Pattern.compile("reindex_alias_last_swap_seconds\\{alias=\"" + OwnAliasAndTopics.ALIAS
                + "\"} (\\S+)").matcher(metrics);
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    /** The service's metrics the example alert rules use (dev/alerts). */
    private static Set<String> alertMetrics() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Path.of("dev/alerts/reindexer-rules.yml").toFile());
        Set<String> metrics = new TreeSet<>();
        for (JsonNode rule : rules.at("/groups/0/rules")) {
            Matcher metric = Pattern.compile("reindex_\\w+").matcher(rule.get("expr").asText());
            while (metric.find()) {
                metrics.add(metric.group());
            }
        }
        assertThat(metrics).contains("reindex_alias_last_swap_seconds", "reindex_run_active_seconds_max");
        return metrics;
    }

    /** The service's metrics the Grafana dashboard's queries use (deploy/grafana), each panel's among them. */
    private static Set<String> dashboardMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/companies-reindexer.json").toFile());
        Set<String> metrics = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets")).as("queries of panel %s", panel.path("title")).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                Matcher metric = Pattern.compile("reindex_\\w+").matcher(target.path("expr").asText());
                assertThat(metric.find()).as("a metric of the service in %s", target.path("expr")).isTrue();
                do {
                    metrics.add(metric.group());
                } while (metric.find());
            }
        }
        assertThat(metrics).contains("reindex_outbox_depth", "reindex_slices_claimed_total",
                "reindex_bulk_pushed_back_total", "reindex_documents_indexed_total");
        return metrics;
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/reindex")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + Tokens.admin()).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getWithoutToken(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + Tokens.viewer())
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
