package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.companies.reindexer.testing.ComparedCompanies;
import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.OwningApplication;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.SearchProbe;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A deposed leader does nothing decisive. The leader's {@code _count} in the settle is held by a proxy while its lock
 * session is terminated; a second instance takes the run over, resumes it and completes it while the owning
 * application writes and searchers read. Then the count is released: the first leader, whose count no longer matches
 * (the successor caught up with the application's writes), stops. Before, it took that for a failed run, deleted the
 * index searchers were reading and recorded {@code FAILED}.
 */
class DeposedLeaderIT {

    private static final String ALIAS = "companies";

    @Test
    void aLeaderWhoseLockVanishedInTheSettleStopsWithoutDeletingOrRecordingAnything() throws Exception {
        try (PackagedServices services = new PackagedServices();
                FaultyEngineProxy proxy = FaultyEngineProxy.start(services.engineAddress())) {
            SearchIndices search = services.search();
            services.freshSource(8_000, 0.43);
            ComparedCompanies compared = new ComparedCompanies(services.dataSource());
            Map<String, String> first = services.serviceProperties(proxy.hostAndPort());
            // The held count must outlast the successor's whole run, not be cut and sent again by the client.
            first.put("quarkus.elasticsearch.socket-timeout", "5m");

            try (TopicWatcher outcomes = services.watchOutcomes();
                    Requests requests = services.requests();
                    ServiceProcess leader = ServiceProcess.start("deposed-leader", first)) {
                assertThat(services.outcome(outcomes, services.request(requests, newRequestId())).get("status")
                        .asText()).isEqualTo("COMPLETED");
                FaultyEngineProxy.Hold count = proxy.hold("GET", "/companies-[a-z0-9]{32}/_count", 1);
                try (OwningApplication application = OwningApplication.start(services.dataSource(),
                        services.engineAddress(), ALIAS, 30, compared::documentOf, 29);
                        SearchProbe probe = SearchProbe.start(services.engineAddress(), ALIAS, 2,
                                Duration.ofMillis(20), () -> -1)) {
                    String requestId = services.request(requests, newRequestId());
                    count.awaitHeld(1, Duration.ofMinutes(3));
                    try (ServiceProcess successor = ServiceProcess.start("successor", services.serviceProperties())) {
                        assertThat(terminateLockSessions(services)).as("lock sessions ended").isEqualTo(1);
                        JsonNode outcome = services.outcome(outcomes, requestId);
                        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                        assertThat(successor.log()).contains("resuming with index " + outcome.get("index").asText());

                        count.release();
                        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                                .until(() -> leader.log().contains("was taken over by another instance")
                                        || leader.log().contains("Lost the run lock"));
                        assertThat(services.allOutcomes(outcomes, requestId, Duration.ofSeconds(3)))
                                .as("one outcome").hasSize(1);
                        String index = outcome.get("index").asText();
                        assertThat(search.aliasTargets(ALIAS)).containsExactly(index);
                        assertThat(search.indices("companies-*")).containsExactly(index);
                        assertThat(leader.log()).doesNotContain("Deleting index " + index);
                        application.close();
                        probe.close();
                        assertThat(probe.failed() + probe.empty()).as(probe.summary()).isZero();
                        assertThat(application.refused()).as(application.summary()).isZero();
                        search.refresh(ALIAS);
                        assertThat(compared.inIndex(search, ALIAS)).isEqualTo(compared.inDatabase());
                    }
                }
            }
        }
    }

    /** Ends the database session that holds the alias's run lock, as a failover or an administrator would. */
    private static int terminateLockSessions(PackagedServices services) throws Exception {
        try (Connection connection = services.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("""
                        select count(pg_terminate_backend(pid)) from pg_locks where locktype = 'advisory'
                        and objsubid = 2 and granted and classid = hashtext('companies-reindexer')::oid
                        and objid = hashtext('companies')::oid""")) {
            result.next();
            return result.getInt(1);
        }
    }
}
