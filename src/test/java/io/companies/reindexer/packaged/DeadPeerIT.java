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
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Two instances of the packaged service in the same consumer group; the one running a reindex is killed (SIGKILL) and
 * never comes back: the survivor takes the alias over within its poll interval, resumes the interrupted run into its
 * index (the dead peer's slices once their claims lapse) and completes it, then serves the next request.
 */
class DeadPeerIT {

    private static final String ALIAS = "companies";
    /** The contract's bound is the poll interval (1 s here) plus the release of the dead peer's lock. */
    private static final Duration TAKE_OVER_BOUND = Duration.ofSeconds(20);

    @Test
    void theSurvivorResumesTheRunOfADeadPeerAndServesTheNextRequest() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            rows.generate(20_000, 0.37);
            long published = rows.publishedCompanies();
            Map<String, String> properties = services.serviceProperties();
            properties.put("reindex.poll-interval", "1s");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess a = ServiceProcess.start("dead-peer-a", properties);
                    ServiceProcess b = ServiceProcess.start("dead-peer-b", properties)) {
                JsonNode first = services.outcome(outcomes, services.request(requests, newRequestId()));
                assertThat(first.get("status").asText()).as("outcome %s", first).isEqualTo("COMPLETED");
                String good = first.get("index").asText();

                String interrupted = services.request(requests, newRequestId());
                String partial = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                        .until(() -> search.filling(good, 2_000), index -> index != null);
                ServiceProcess runner;
                ServiceProcess survivor;
                if (a.log().contains("Created index " + partial)) {
                    runner = a;
                    survivor = b;
                } else if (b.log().contains("Created index " + partial)) {
                    runner = b;
                    survivor = a;
                } else {
                    throw new AssertionError("Neither instance logged the creation of " + partial);
                }
                long killedAt = System.nanoTime();
                runner.kill();

                await().atMost(TAKE_OVER_BOUND).pollInterval(Duration.ofMillis(50))
                        .until(() -> survivor.log().contains("resuming with index " + partial));
                Duration takeOver = Duration.ofNanos(System.nanoTime() - killedAt);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(good);

                JsonNode resumed = services.outcome(outcomes, interrupted);
                assertThat(resumed.get("status").asText()).as("outcome %s, taken over in %s", resumed, takeOver)
                        .isEqualTo("COMPLETED");
                assertThat(resumed.get("index").asText()).isEqualTo(partial);
                assertThat(resumed.get("documents").asLong()).isEqualTo(published);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(partial);
                assertThat(search.count(ALIAS)).isEqualTo(published);

                JsonNode next = services.outcome(outcomes, services.request(requests, newRequestId()));
                assertThat(next.get("status").asText()).as("outcome %s", next).isEqualTo("COMPLETED");
                assertThat(next.get("documents").asLong()).isEqualTo(published);
                String newest = next.get("index").asText();
                assertThat(survivor.log()).as("the survivor ran the next request").contains("Created index " + newest);
                assertThat(search.aliasTargets(ALIAS)).containsExactly(newest);
                assertThat(search.indices("companies-*")).containsExactly(newest);
            }
        }
    }
}
