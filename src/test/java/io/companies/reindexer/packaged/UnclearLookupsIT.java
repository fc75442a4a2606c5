package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.companies.reindexer.testing.ComparedCompanies;
import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.OwningApplication;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An error is not an absence: while the owning application writes, the catch-up's look-ups of where documents stand
 * come back with every second document an error (a shard unavailable), several times. The service asks again instead
 * of taking those documents for absent, and the index ends equal to the database, document for document. Before, an
 * errored document was written with {@code create}, the 409 counted as superseded, and a stale or deleted company
 * stayed in the index.
 */
class UnclearLookupsIT {

    private static final String ALIAS = "companies";

    @Test
    void lookUpsThatComeBackWithItemErrorsAreAskedAgain() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            services.freshSource(12_000, 0.37);
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            properties.put("reindex.bulk.initial-backoff", "100ms");
            ComparedCompanies compared = new ComparedCompanies(services.dataSource());

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("unclear-lookups", properties)) {
                assertThat(services.outcome(outcomes, services.request(requests, newRequestId())).get("status")
                        .asText()).isEqualTo("COMPLETED");
                FaultyEngineProxy.Rule errors = proxy.failMgetItems("/companies-[a-z0-9]{32}/_mget", 6,
                        "no_shard_available_action_exception");
                try (OwningApplication application = OwningApplication.start(services.dataSource(),
                        services.engineAddress(), ALIAS, 40, compared::documentOf, 23)) {
                    JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                    application.close();
                    assertThat(application.refused()).as(application.summary()).isZero();
                }
                assertThat(errors.applied()).as("look-ups answered with item errors").isEqualTo(6);
                assertThat(service.log()).contains("The engine could not look document");
                search.refresh(ALIAS);
                assertThat(compared.inIndex(search, ALIAS)).isEqualTo(compared.inDatabase());
            }
        }
    }
}
