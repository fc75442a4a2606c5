package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The defaults finish a run wherever the service is deployed: a packaged instance with only its connection settings
 * completes a run on a single engine node, where the index gets no replica, and on a cluster, where it gets one before
 * the swap. On the cluster, no wait on the engine is cut by the client either: with a socket timeout of 5 s and small
 * bulk requests (which a busy machine answers within it), the cluster assigns the replicas only after several socket
 * timeouts (allocation of replicas switched off, then on again); the run waits for them in waits the client never
 * cuts, swaps only once each shard has its replica, and completes. The test command runs this class on both engines;
 * each test skips on the other.
 */
class DefaultSettingsIT {

    private static final String ALIAS = "companies";
    private static final String ALLOCATION = "cluster.routing.allocation.enable";
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void onASingleNodeTheIndexGetsNoReplicaAndTheRunCompletes() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            Assumptions.assumeTrue(dataNodes(search) == 1, "a single-node engine");
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            rows.generate(5_000, 0.61);

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("defaults-one-node", defaults(services))) {
                JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));

                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                String index = outcome.get("index").asText();
                JsonNode settings = search.settings(index);
                assertThat(settings.get("index.auto_expand_replicas").asText()).isEqualTo("0-1");
                assertThat(settings.get("index.number_of_replicas").asText()).isEqualTo("0");
                assertThat(search.health(index).get("status").asText()).isEqualTo("green");
                assertThat(search.count(ALIAS)).isEqualTo(rows.publishedCompanies());
            }
        }
    }

    @Test
    void onAClusterAReplicaAssignedLateIsWaitedForAndTheRunCompletes() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            Assumptions.assumeTrue(dataNodes(search) > 1, "an engine of several data nodes");
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            rows.generate(5_000, 0.61);
            Map<String, String> defaults = defaults(services);
            defaults.put("quarkus.elasticsearch.socket-timeout", SOCKET_TIMEOUT.toSeconds() + "S");
            defaults.put("reindex.bulk.max-documents", "200");
            String before = search.aliasTargets(ALIAS).stream().findFirst().orElse(null);

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("defaults-late-replica", defaults)) {
                search.putClusterSetting(ALLOCATION, "primaries");
                Instant allocationBack;
                try {
                    String requestId = services.request(requests, newRequestId());
                    // The filled index got its final settings: the run now waits for its replicas.
                    String index = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                            .until(() -> settled(search, before), name -> name != null);
                    // Longer than two socket timeouts: a wait the client cut would have failed or been sent again.
                    Thread.sleep(SOCKET_TIMEOUT.multipliedBy(3).toMillis());
                    assertThat(search.aliasTargets(ALIAS)).as("no swap before the replicas").doesNotContain(index);
                    allocationBack = Instant.now();
                    search.putClusterSetting(ALLOCATION, null);

                    JsonNode outcome = services.outcome(outcomes, requestId);
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                    assertThat(outcome.get("index").asText()).isEqualTo(index);
                    assertThat(Instant.parse(outcome.get("completedAt").asText())).isAfter(allocationBack);
                    JsonNode health = search.health(index);
                    assertThat(search.settings(index).get("index.number_of_replicas").asText()).isEqualTo("1");
                    assertThat(health.get("active_shards").asInt()).as(health.toString())
                            .isEqualTo(2 * health.get("active_primary_shards").asInt());
                    assertThat(search.aliasTargets(ALIAS)).containsExactly(index);
                    assertThat(search.count(ALIAS)).isEqualTo(rows.publishedCompanies());
                    assertThat(service.log().lines().filter(line -> line.contains("SocketTimeoutException")))
                            .as("no wait for the replicas cut by the client")
                            .noneMatch(line -> line.contains("_cluster/health"));
                } finally {
                    search.putClusterSetting(ALLOCATION, null);
                }
            }
        }
    }

    /** Only where the service and its topics are: every other setting keeps its default. */
    private static Map<String, String> defaults(PackagedServices services) {
        Map<String, String> defaults = new TreeMap<>(services.serviceProperties());
        // The shrink guard and the rebuild on change stay off: they would judge the index an earlier test left behind
        // the alias.
        defaults.keySet().removeIf(key -> key.startsWith("reindex.") && !key.startsWith("reindex.topics.")
                && !key.equals("reindex.swap.min-ratio") && !key.equals("reindex.rebuild-on-change"));
        return defaults;
    }

    private static int dataNodes(SearchIndices search) throws Exception {
        return search.health("_all").get("number_of_data_nodes").asInt();
    }

    /** The index of ours, other than {@code except}, that has its final settings (the replicas), or null. */
    private static String settled(SearchIndices search, String except) throws Exception {
        for (String index : search.indices("companies-*")) {
            if (!index.equals(except) && search.settings(index).has("index.auto_expand_replicas")) {
                return index;
            }
        }
        return null;
    }
}
