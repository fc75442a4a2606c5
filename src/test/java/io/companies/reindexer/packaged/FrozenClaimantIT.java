package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
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

/**
 * A claimant that lost its slice cannot change the result. In each of ten runs of two instances, the bulk request of
 * the one that does not lead is held by a proxy (a request still on its way, or queued in the engine) and the worker is frozen
 * with SIGSTOP past its lease;
 * meanwhile every company of its slice is renamed, some are unpublished and some deleted, and another worker takes the
 * slice over and the run completes. Then the request is let go and the worker woken: the engine refuses what it sends
 * (its writer alias is gone), and the index still equals the database. Before, the old names and the unpublished and
 * deleted companies of the held request came back into the live index.
 */
class FrozenClaimantIT {

    private static final String ALIAS = "companies";
    private static final int COMPANIES = 2_000;
    private static final int ROUNDS = 10;

    @Test
    void whatAFrozenClaimantSendsAfterItsSliceWasTakenOverNeverLands() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy firstEngine = FaultyEngineProxy.start(services.engineAddress());
                FaultyEngineProxy secondEngine = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            SourceRows rows = new SourceRows(services.dataSource());
            rows.reset();
            services.forgetServiceState();
            search.deleteAll("companies-*");
            rows.generate(COMPANIES, 0.23);
            ComparedCompanies compared = new ComparedCompanies(services.dataSource());
            Map<String, JsonNode> outcomeOf = new LinkedHashMap<>();

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess first = ServiceProcess.start("frozen-claimant-1",
                            properties(services.serviceProperties(firstEngine.hostAndPort())));
                    ServiceProcess second = ServiceProcess.start("frozen-claimant-2",
                            properties(services.serviceProperties(secondEngine.hostAndPort())))) {
                for (int round = 1; round <= ROUNDS; round++) {
                    // Each instance's first request of the run waits, so that both hold a slice when the test
                    // picks the one to freeze; the leader must go on, so the other is the one frozen.
                    FaultyEngineProxy.Hold firstBulk = firstEngine.hold("POST", ".*/_bulk", 1);
                    FaultyEngineProxy.Hold secondBulk = secondEngine.hold("POST", ".*/_bulk", 1);
                    String requestId = services.request(requests, newRequestId());
                    long leader = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                            .until(services::runningLeaderPid, pid -> pid > 0);
                    boolean firstLeads = leader == first.pid();
                    ServiceProcess frozen = firstLeads ? second : first;
                    FaultyEngineProxy.Hold bulk = firstLeads ? secondBulk : firstBulk;
                    (firstLeads ? firstBulk : secondBulk).release();
                    bulk.awaitHeld(1, Duration.ofMinutes(1));
                    signal("STOP", frozen);
                    Slice slice = heldSlice(services, frozen);
                    changeEveryCompany(services, slice, round);

                    JsonNode outcome = services.outcome(outcomes, requestId);
                    assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                    outcomeOf.put(requestId, outcome);
                    bulk.release();
                    signal("CONT", frozen);
                    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                            .until(() -> frozen.log().contains(slice.logged() + ", pass " + slice.pass() + ": left: "));

                    String index = outcome.get("index").asText();
                    assertThat(search.aliasesOf(index)).as("round %d: the writers are gone", round)
                            .containsExactly(ALIAS);
                    search.refresh(ALIAS);
                    assertThat(compared.inIndex(search, ALIAS)).as("round %d", round)
                            .isEqualTo(compared.inDatabase());
                    assertThat(outcome.get("documents").asLong()).isEqualTo(rows.publishedCompanies());
                }
                // A request Kafka delivers again (the group rebalancing while the instance that read it is frozen) has
                // its outcome published again, unchanged (events.md, duplicates); what must never come is another one.
                for (Map.Entry<String, JsonNode> round : outcomeOf.entrySet()) {
                    assertThat(services.allOutcomes(outcomes, round.getKey(), Duration.ofMillis(300)))
                            .as(round.getKey()).isNotEmpty()
                            .allSatisfy(copy -> assertThat(copy).isEqualTo(round.getValue()));
                }
            }
        }
    }

    /** Slices of 250 companies loaded in requests of 25, and a claim that lapses 3 s after its instance froze. */
    private static Map<String, String> properties(Map<String, String> properties) {
        properties.put("reindex.slices.size", "250");
        properties.put("reindex.source.page-size", "25");
        properties.put("reindex.bulk.max-documents", "25");
        properties.put("reindex.slices.lease", "3s");
        return properties;
    }

    private record Slice(long runId, int slice, int afterId, int lastId, int pass) {
        String logged() {
            return "Run " + runId + ", slice " + slice + " (ids " + afterId + " to " + lastId + ")";
        }
    }

    private static void signal(String signal, ServiceProcess process) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor())
                .as("kill -%s", signal).isZero();
    }

    private static Slice heldSlice(PackagedServices services, ServiceProcess instance) throws Exception {
        try (Connection connection = services.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        select run_id, slice, after_id, last_id, pass from reindexer.run_slice
                        where claimed_by like ? and not done""")) {
            select.setString(1, "%/" + instance.pid() + "/%");
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).as("the frozen instance holds a slice").isTrue();
                return new Slice(row.getLong(1), row.getInt(2), row.getInt(3), row.getInt(4), row.getInt(5));
            }
        }
    }

    /** Renames every company of the slice, unpublishes three of the published ones and deletes two. */
    private static void changeEveryCompany(PackagedServices services, Slice slice, int round) throws Exception {
        String range = "id > " + slice.afterId() + " and id <= " + slice.lastId();
        String published = range + " and (is_published_find_a_supplier or is_published_investment_support_directory)";
        try (Connection connection = services.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("update company_company set name = name || ' " + round
                    + "', modified = now() where " + range);
            statement.executeUpdate("""
                    update company_company set is_published_find_a_supplier = false,
                    is_published_investment_support_directory = false, modified = now()
                    where id in (select id from company_company where %s order by id limit 3)""".formatted(published));
            statement.executeUpdate("delete from company_company where id in (select id from company_company where "
                    + published + " order by id desc limit 2)");
        }
    }
}
