package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Pressure slows a run, never fails it: for 40 s the engine answers 429 to half the items of every bulk request (a
 * proxy), far longer than the retries of a fixed count would have lasted (8 retries from 100 ms: 25.5 s); the run
 * sends the refused items again for as long as some get through, and completes with every document, later.
 */
class PushbackIT {

    private static final String ALIAS = "companies";
    private static final Duration STORM = Duration.ofSeconds(40);

    @Test
    void aStormOf429sSlowsTheRunDownAndItCompletes() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            SourceRows rows = services.freshSource(10_000, 0.29);
            long published = rows.publishedCompanies();
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            properties.put("reindex.bulk.initial-backoff", "100ms");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("pushback", properties)) {
                FaultyEngineProxy.Rule storm = proxy.rejectBulkItemsFor("/companies-[a-z0-9]{32}\\.slice-[0-9.a-z-]+/_bulk",
                        STORM, 429);

                JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()),
                        Duration.ofMinutes(4));

                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                assertThat(search.count(ALIAS)).isEqualTo(published);
                assertThat(storm.applied()).as("bulk requests half refused").isGreaterThan(10);
                assertThat(service.log()).contains("documents not indexed (the engine could not take them now");
            }
        }
    }
}
