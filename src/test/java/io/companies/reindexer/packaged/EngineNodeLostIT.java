package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.companies.reindexer.testing.ComparedCompanies;
import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.StackService;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Counted after it is durable. On the three-node cluster, with no replica for the new index, a run's catch-up writes
 * land, the run counts the index, and a proxy holds the flush that follows; meanwhile an engine node holding a primary
 * of the new index is killed with SIGKILL and started again, so that the shard comes back from what its node had
 * written out, which need not be every write the engine acknowledged and the run counted. Then the flush is released.
 * Whatever the node lost, the request gets exactly one outcome, and a {@code COMPLETED} one means the index equals the
 * database, document for document; a run whose index lost writes fails instead of swapping it in, and the next request
 * builds an index equal to the database. The loss is what the node had not written out when it was killed: on the
 * 2-core test machine a few of the catch-up's last writes (renames, a deletion), sometimes none; a lost rename leaves
 * the count as it was, which is why the run also compares each shard's highest sequence number.
 *
 * <p>
 * Needs the stack's environment (as {@link StackService} does) and its three-node cluster ({@code opensearch-cluster}):
 * the test command runs it in its cluster step; it skips on a single-node engine.
 */
class EngineNodeLostIT {

    private static final String ALIAS = "companies";
    private static final String INDEX_PATH = "/companies-[a-z0-9]{32}";
    private static final String NODE_PREFIX = "stack-opensearch-cluster-";

    @Test
    void anEngineNodeKilledAfterTheCountNeverLetsALossyIndexGoLive() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            Assumptions.assumeTrue(search.health("_all").get("number_of_data_nodes").asInt() == 3,
                    "the stack's three-node cluster");
            int enginePort = services.engineAddress().getPort();
            StackService cluster = StackService.openSearchCluster(enginePort);
            search.deleteAll("companies-*");
            SourceRows rows = services.freshSource(5_000, 0.53);
            ComparedCompanies compared = new ComparedCompanies(services.dataSource());
            Map<String, String> properties = services.serviceProperties(proxy.hostAndPort());
            properties.put("reindex.index.shards", "3");
            // No copy elsewhere: what the killed node had not written out is gone for good.
            properties.put("reindex.index.replicas", "0");
            // The held flush outlasts a node's restart: the client must not cut it and send it again meanwhile.
            properties.put("quarkus.elasticsearch.socket-timeout", "5m");

            FaultyEngineProxy.Hold load = proxy.hold("POST", INDEX_PATH + "\\.slice-[0-9.a-z-]+/_bulk", 1);
            FaultyEngineProxy.Hold flush = proxy.hold("POST", INDEX_PATH + "/_flush", 1);
            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess service = ServiceProcess.start("engine-node-lost", properties)) {
                String requestId = services.request(requests, newRequestId());
                // Rows changed while the load's first bulk waits: the catch-up, right before the count, writes them.
                load.awaitHeld(1, Duration.ofMinutes(2));
                int changes = changeRows(services, rows);
                load.release();

                flush.awaitHeld(1, Duration.ofMinutes(3));
                String index = search.indices("companies-*").getFirst();
                search.refresh(index);
                long counted = search.count(index);
                String node = primaryNodeOtherThanTheFirst(search, index);
                long killedAt = System.nanoTime();
                cluster.kill("opensearch-cluster-" + node.substring(NODE_PREFIX.length()));
                cluster.start();
                long restartMs = (System.nanoTime() - killedAt) / 1_000_000;
                search.refresh(index);
                long afterRestart = search.count(index);
                // The catch-up is over and nothing changes the rows now: what differs from them was lost.
                Map<String, String> inDatabase = compared.inDatabase();
                Map<String, String> inIndex = compared.inIndex(search, index);
                long missing = inDatabase.keySet().stream().filter(id -> !inIndex.containsKey(id)).count();
                long back = inIndex.keySet().stream().filter(id -> !inDatabase.containsKey(id)).count();
                long stale = inIndex.keySet().stream()
                        .filter(id -> inDatabase.containsKey(id) && !inDatabase.get(id).equals(inIndex.get(id))).count();
                System.out.printf("EngineNodeLostIT: %d rows changed; %s counted %d documents, %d after %s was"
                        + " killed and back (%d ms): %d missing, %d deleted ones back, %d stale%n", changes, index,
                        counted, afterRestart, node, restartMs, missing, back, stale);
                flush.release();

                JsonNode outcome = services.outcome(outcomes, requestId);
                assertThat(services.allOutcomes(outcomes, requestId, Duration.ofSeconds(3))).as("one outcome")
                        .hasSize(1);
                if (!inIndex.equals(inDatabase)) {
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("FAILED");
                    assertThat(outcome.toString()).contains("once durable");
                    assertThat(search.aliasTargets(ALIAS)).as("no swap").doesNotContain(index);
                    // The next request builds the index again, from the database.
                    outcome = services.outcome(outcomes, services.request(requests, newRequestId()));
                }
                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                assertThat(search.aliasTargets(ALIAS)).containsExactly(outcome.get("index").asText());
                search.refresh(ALIAS);
                assertThat(compared.inIndex(search, ALIAS)).isEqualTo(compared.inDatabase());
            } finally {
                load.release();
                flush.release();
                cluster.ensureUp();
            }
        }
    }

    /** A node other than the one the tests and the service talk to that holds a primary of {@code index}. */
    private static String primaryNodeOtherThanTheFirst(SearchIndices search, String index) throws Exception {
        List<String> nodes = search.primaryNodes(index).values().stream()
                .filter(node -> !node.equals(NODE_PREFIX + "1")).toList();
        assertThat(nodes).as("primaries of " + index + " on nodes 2 and 3").isNotEmpty();
        return nodes.getFirst();
    }

    /** Renames, unpublications and new companies spread over every shard; returns how many. */
    private static int changeRows(PackagedServices services, SourceRows rows) throws SQLException {
        int changes = 0;
        try (Connection connection = services.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            changes += statement.executeUpdate("UPDATE company_company SET name = name || ' (renamed)',"
                    + " modified = clock_timestamp() WHERE id % 20 = 0");
            changes += statement.executeUpdate("UPDATE company_company SET is_published_find_a_supplier = false,"
                    + " is_published_investment_support_directory = false, modified = clock_timestamp()"
                    + " WHERE id % 50 = 7");
        }
        for (int i = 0; i < 100; i++) {
            rows.insertCompany("Added during the run " + i, true, "{}");
            changes++;
        }
        return changes;
    }
}
