package io.companies.reindexer.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.api.Tokens;
import io.companies.reindexer.coordination.DefinitionChangeTrigger;
import io.companies.reindexer.index.NewIndex;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.reindex.BuildDefinition;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * The definition knows itself, against the real engine: every index the service creates records its build's
 * definition (fingerprint and version) in its mapping's {@code _meta}, from creation on;
 * {@code GET /reindex/definition} and {@code reindex_definition_current} say whether the index behind the alias records
 * this build's, and an index that records none does not; with {@code reindex.rebuild-on-change=false} (the test
 * profile's) that starts no rebuild.
 */
@QuarkusTest
class DefinitionCheckTest {

    private static final String ALIAS = "companies";

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    @Inject
    SearchEngine engine;

    @Inject
    BuildDefinition build;

    @Inject
    DefinitionGauge gauge;

    @Inject
    DefinitionChangeTrigger trigger;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "reindex.definition-version")
    int version;

    @TestHTTPResource("/reindex/definition")
    URI definition;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aNewIndexRecordsTheDefinitionFromItsCreation() throws Exception {
        SearchIndices search = new SearchIndices(engineClient);
        String name = "definition-check-" + UUID.randomUUID();
        try {
            NewIndex.create(engine, build.index(), build.stamp(), name);

            JsonNode meta = search.mappingMeta(name);
            assertThat(meta.path("definition").asText()).isEqualTo(build.fingerprint()).matches("[0-9a-f]{32}");
            assertThat(meta.path("definitionVersion").asInt()).isEqualTo(version);
            assertThat(meta.has("complete")).as("not complete before it is filled").isFalse();
        } finally {
            search.deleteAll(name);
        }
    }

    @Test
    void theLiveIndexRecordsThisBuildsDefinitionAndAnIndexRecordingNoneDoesNotMatch() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        SearchIndices search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(300, 0.61);
        String live = topics.completedRun().get("index").asText();

        JsonNode meta = search.mappingMeta(live);
        assertThat(meta.path("definition").asText()).isEqualTo(build.fingerprint());
        assertThat(meta.path("definitionVersion").asInt()).isEqualTo(version);
        assertThat(meta.path("complete").asBoolean()).as("the mark of completion kept the stamp").isTrue();
        assertThat(meta.path("documents").asLong()).isEqualTo(rows.publishedCompanies());

        JsonNode answer = viewDefinition();
        assertThat(answer.get("alias").asText()).isEqualTo(ALIAS);
        assertThat(answer.get("fingerprint").asText()).isEqualTo(build.fingerprint());
        assertThat(answer.get("version").asInt()).isEqualTo(version);
        assertThat(answer.get("index").asText()).isEqualTo(live);
        assertThat(answer.get("indexFingerprint").asText()).isEqualTo(build.fingerprint());
        assertThat(answer.get("indexVersion").asInt()).isEqualTo(version);
        assertThat(answer.get("matches").asBoolean()).isTrue();
        gauge.refresh();
        assertThat(current()).isEqualTo(1.0);

        // An index the service did not stamp (built by an older service, or by hand) behind the alias.
        String unstamped = "definition-check-" + UUID.randomUUID();
        engineClient.performRequest(new Request("PUT", "/" + unstamped));
        try {
            moveAlias(live, unstamped);

            JsonNode other = viewDefinition();
            assertThat(other.get("index").asText()).isEqualTo(unstamped);
            assertThat(other.get("indexFingerprint").isNull()).isTrue();
            assertThat(other.get("indexVersion").isNull()).isTrue();
            assertThat(other.get("fingerprint").asText()).isEqualTo(build.fingerprint());
            assertThat(other.get("matches").asBoolean()).isFalse();
            gauge.refresh();
            assertThat(current()).isEqualTo(0.0);
            assertThat(trigger.check()).as("reindex.rebuild-on-change=false in tests").isEmpty();
        } finally {
            moveAlias(unstamped, live);
            search.deleteAll(unstamped);
        }
        gauge.refresh();
        assertThat(current()).isEqualTo(1.0);
    }

    private JsonNode viewDefinition() throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(definition)
                .header("Authorization", "Bearer " + Tokens.viewer()).build(), BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return json.readTree(answer.body());
    }

    private double current() {
        return registry.get("reindex.definition.current").tag("alias", ALIAS).gauge().value();
    }

    private void moveAlias(String from, String to) throws Exception {
        Request request = new Request("POST", "/_aliases");
        request.setJsonEntity("{\"actions\":[{\"remove\":{\"index\":\"" + from + "\",\"alias\":\"" + ALIAS
                + "\"}},{\"add\":{\"index\":\"" + to + "\",\"alias\":\"" + ALIAS + "\"}}]}");
        engineClient.performRequest(request);
    }
}
