package io.companies.reindexer.reindex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;

import io.quarkus.test.junit.QuarkusTest;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What cannot be retired does not stop the service: an old index that carries an alias of someone else's (an
 * operator's, to roll back by hand) is left in place and named in the outcome's {@code keptIndices}, the run completes,
 * and the service serves the next request. Before, the run that met such an index stayed in state SWAPPING for good
 * and no later request was ever answered, so every request here waits a bounded time and says so when it gets nothing.
 */
@QuarkusTest
class KeptIndexTest {

    private static final String ALIAS = "companies";
    private static final String KEEP_ALIAS = "companies-keep";

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    private SearchIndices search;
    private String kept;

    @BeforeEach
    void loadCompanies() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(300, 0.37);
    }

    @AfterEach
    void removeTheKeptIndex() throws IOException {
        if (kept != null && search.exists(kept)) {
            if (search.aliasTargets(KEEP_ALIAS).contains(kept)) {
                engineClient.performRequest(new Request("DELETE", "/" + kept + "/_alias/" + KEEP_ALIAS));
            }
            engineClient.performRequest(new Request("DELETE", "/" + kept));
        }
    }

    @Test
    void anOldIndexWithAnotherAliasIsKeptAndTheNextRequestsComplete() throws Exception {
        JsonNode first = reindex(newRequestId());
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("COMPLETED");
        kept = first.get("index").asText();
        assertThat(search.aliasTargets(ALIAS)).containsExactly(kept);
        addAlias(kept, KEEP_ALIAS);

        JsonNode second = reindex(newRequestId());
        JsonNode third = reindex(newRequestId());

        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("COMPLETED");
        assertThat(third.get("status").asText()).as(third.toString()).isEqualTo("COMPLETED");
        assertThat(names(second.get("previousIndices"))).as(second.toString()).containsExactly(kept);
        assertThat(names(second.get("keptIndices"))).as(second.toString()).contains(kept);
        assertThat(names(second.get("deletedIndices"))).as(second.toString()).doesNotContain(kept);
        assertThat(names(third.get("deletedIndices"))).as(third.toString())
                .contains(second.get("index").asText()).doesNotContain(kept);
        assertThat(search.exists(kept)).as("the kept index %s is still there", kept).isTrue();
        assertThat(search.aliasTargets(KEEP_ALIAS)).containsExactly(kept);
        assertThat(search.aliasTargets(ALIAS)).containsExactly(third.get("index").asText());
        assertThat(runStates()).as("no run is left unfinished").doesNotContain("SWAPPING", "RUNNING");
    }

    /** The outcome for {@code requestId}, or a failure that says where the runs stand when none came. */
    private JsonNode reindex(String requestId) throws Exception {
        try {
            return topics.request(requestId, "{\"requestId\":\"" + requestId + "\",\"requestedBy\":\"test\"}");
        } catch (AssertionError e) {
            throw new AssertionError("No outcome for request " + requestId + " within " + ServiceTopics.RUN_TIMEOUT
                    + "; the runs' states: " + runStates(), e);
        }
    }

    private void addAlias(String index, String alias) throws IOException {
        Request request = new Request("POST", "/_aliases");
        request.setJsonEntity("{\"actions\":[{\"add\":{\"index\":\"" + index + "\",\"alias\":\"" + alias + "\"}}]}");
        engineClient.performRequest(request);
        assertThat(search.aliasTargets(alias)).containsExactly(index);
    }

    private List<String> runStates() throws SQLException {
        List<String> states = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                ResultSet row = connection.createStatement()
                        .executeQuery("select state from reindexer.reindex_run order by id")) {
            while (row.next()) {
                states.add(row.getString(1));
            }
        }
        return states;
    }

    private static List<String> names(JsonNode array) {
        assertThat(array).as("a JSON array").isNotNull();
        assertThat(array.isArray()).as("%s is a JSON array", array).isTrue();
        List<String> names = new ArrayList<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    private static String newRequestId() {
        return UUID.randomUUID().toString();
    }
}
