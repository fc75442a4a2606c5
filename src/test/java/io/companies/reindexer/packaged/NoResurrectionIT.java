package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.companies.reindexer.testing.ComparedCompanies;
import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * No resurrection after the swap: the owning application creates a company while the swap waits (its write goes to
 * the old index), the catch-up after the swap reads it and sends its {@code create}, which the proxy holds; the
 * application then deletes the company, and its delete through the alias finds nothing in the new index. Once the
 * {@code create} lands, the service finds the company gone from the source and deletes it again: the index ends equal
 * to the database. Before, the deleted company stayed searchable.
 */
class NoResurrectionIT {

    private static final String ALIAS = "companies";
    private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aCompanyDeletedWhileItsCreateWaitsAfterTheSwapStaysDeleted() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            SourceRows rows = services.freshSource(3_000, 0.29);
            ComparedCompanies compared = new ComparedCompanies(services.dataSource());
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            String log;
            int company;

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("no-resurrection", properties)) {
                String old = services.outcome(outcomes, services.request(requests, newRequestId())).get("index")
                        .asText();

                // The swap waits in the proxy: the catch-ups before it are done, and the alias is on the old index.
                FaultyEngineProxy.Hold swap = proxy.holdIfBodyContains("POST", "/_aliases", "\"alias\":\"" + ALIAS + "\"", 1);
                String requestId = services.request(requests, newRequestId());
                swap.awaitHeld(1, STAGE_TIMEOUT);
                company = rows.insertCompany("Created while the swap waits", true, "{}");
                JsonNode created = write(services.engineAddress(), company, compared.documentOf(company));
                assertThat(created.path("_index").asText()).as(created.toString()).isEqualTo(old);

                // The catch-up after the swap finds the company missing from the new index: its create waits.
                FaultyEngineProxy.Hold create = proxy.holdIfBodyContains("POST",
                        "/companies-[a-z0-9]{32}\\.slice-[0-9.a-z-]+/_bulk",
                        "{\"create\":{\"_id\":\"" + company + "\"}}", 1);
                swap.release();
                create.awaitHeld(1, STAGE_TIMEOUT);
                rows.deleteCompany(company);
                JsonNode deleted = write(services.engineAddress(), company, null);
                assertThat(deleted.path("result").asText()).as("the application's delete finds nothing: "
                        + deleted).isEqualTo("not_found");
                create.release();

                JsonNode outcome = services.outcome(outcomes, requestId);
                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                assertThat(services.allOutcomes(outcomes, requestId, Duration.ofSeconds(2))).as("one outcome")
                        .hasSize(1);
                log = service.log();
            }
            search.refresh(ALIAS);
            Map<String, String> inIndex = compared.inIndex(search, ALIAS);
            assertThat(inIndex).as("the deleted company").doesNotContainKey(String.valueOf(company));
            assertThat(inIndex).isEqualTo(compared.inDatabase());
            assertThat(log).contains("deleted again: created, then found gone from the source once it landed");
        }
    }

    /** Writes through the alias as the owning application does: {@code PUT} the document, or {@code DELETE} it. */
    private JsonNode write(URI engine, int company, String document) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(engine.resolve("/" + ALIAS + "/_doc/" + company))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        request = document == null ? request.DELETE() : request.PUT(HttpRequest.BodyPublishers.ofString(document));
        return json.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
