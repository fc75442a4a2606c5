package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TcpProxy;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The search engine becomes unreachable in the middle of a run (a proxy between the service and the real engine drops
 * every connection and refuses new ones): the run retries within its bounds, then fails with the alias untouched, and
 * once the engine is back the service serves the next request and removes what the failed run left.
 */
class EngineOutageIT {

    private static final String ALIAS = "companies";

    @Test
    void aRunFailsCleanlyWhenTheEngineGoesAwayAndTheNextOneCompletes() throws Exception {
        try (PackagedServices services = new PackagedServices();
                TcpProxy proxy = new TcpProxy(services.engineAddress().getHost(), services.engineAddress().getPort())) {
            SearchIndices search = services.search();
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            rows.generate(20_000, 0.53);
            long published = rows.publishedCompanies();
            Map<String, String> properties = services.serviceProperties();
            properties.put("quarkus.elasticsearch.hosts", "localhost:" + proxy.port());
            properties.put("reindex.bulk.max-retries", "3");
            properties.put("reindex.bulk.retry-timeout", "3s");
            properties.put("reindex.bulk.initial-backoff", "200ms");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("engine-outage", properties)) {
                String good = services.outcome(outcomes, services.request(requests, newRequestId())).get("index")
                        .asText();
                String failing = services.request(requests, newRequestId());
                String partial = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                        .until(() -> search.filling(good, 1_000), index -> index != null);
                proxy.cut();

                JsonNode failed = services.outcome(outcomes, failing);
                assertThat(failed.get("status").asText()).isEqualTo("FAILED");
                assertThat(failed.get("error").asText()).containsAnyOf("got through for PT3S",
                        "still not indexed after 3 retries");
                assertThat(failed.get("durationMs").asLong()).isLessThan(Duration.ofMinutes(1).toMillis());
                assertThat(search.aliasTargets(ALIAS)).containsExactly(good);
                assertThat(search.count(ALIAS)).isEqualTo(published);

                proxy.restore();
                JsonNode next = services.outcome(outcomes, services.request(requests, newRequestId()));
                assertThat(next.get("status").asText()).isEqualTo("COMPLETED");
                assertThat(next.get("documents").asLong()).isEqualTo(published);
                assertThat(next.get("deletedIndices")).extracting(JsonNode::asText).contains(good, partial);
                assertThat(search.indices("companies-*")).containsExactly(next.get("index").asText());
                assertThat(search.aliasTargets(ALIAS)).containsExactly(next.get("index").asText());
            }
        }
    }
}
