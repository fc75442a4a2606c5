package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A failed run leaves no index behind, even while other instances are loading its slices: three instances share a run
 * whose first bulk request the engine refuses (400, every item); the run fails, and for 30 s afterwards no index of
 * ours exists that was not there before. Before, the leader deleted the index while the other instances still sent
 * bulk requests into it, and the engine created it again with a dynamic mapping.
 */
class FailedRunLeavesNoIndexIT {

    @Test
    void aRefusedDocumentFailsTheRunAndNoInstanceCreatesItsIndexAgain() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            services.freshSource(20_000, 0.83);
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            List<ServiceProcess> instances = new ArrayList<>();
            try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
                for (char name = 'a'; name <= 'c'; name++) {
                    instances.add(ServiceProcess.start("failed-run-" + name, properties));
                }
                List<String> before = search.indices("companies-*");
                proxy.failBulkItems("/companies-[a-z0-9]{32}\\.slice-[0-9.a-z-]+/_bulk", 1, 400, "mapper_parsing_exception");

                JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));

                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("FAILED");
                assertThat(outcome.get("error").asText()).contains("mapper_parsing_exception");
                String index = outcome.get("index").asText();
                await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> before.containsAll(search.indices("companies-*")));
                assertThat(search.exists(index)).isFalse();
            } finally {
                for (ServiceProcess instance : instances) {
                    instance.close();
                }
            }
        }
    }
}
