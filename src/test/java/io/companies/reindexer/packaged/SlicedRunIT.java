package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.companies.reindexer.testing.ComparedCompanies;
import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.OwningApplication;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Three instances of the packaged service share every run: each takes slices of ids from the run's plan in
 * PostgreSQL. A killed instance's slice is done again by another once its claim lapses; a stopped one hands its slice
 * back; when every instance dies, the next one to start resumes the run without loading its finished slices again. On
 * whatever engine the test command points it to: a single node, or the three-node cluster (with
 * {@code -Dit.index.shards}, and {@code -Dit.index.replicas} where the default replicas are not wanted).
 */
class SlicedRunIT {

    private static final String ALIAS = "companies";
    private static final int COMPANIES = 20_000;
    // Few enough for one search to read every document back.
    private static final int COMPANIES_CHANGED = 12_000;
    private static final int SLICE = 1_000;
    // A slice is loaded in 20 pages, in bulk requests of two: a kill that the tests aim at a loading slice lands with
    // most of it still to do, where with the packaged service's 500 (two pages a slice) the slice was often finished.
    private static final int PAGE = 50;
    private static final String SLICE_WRITES = ".*\\.slice-[0-9.a-z-]+/_bulk";

    private static PackagedServices services;
    private static SearchIndices search;
    private static SourceRows rows;
    private static ComparedCompanies compared;

    @BeforeAll
    static void startServices() {
        services = new PackagedServices();
        search = services.search();
        rows = new SourceRows(services.dataSource());
        compared = new ComparedCompanies(services.dataSource());
    }

    @AfterAll
    static void close() throws Exception {
        services.close();
    }

    @BeforeEach
    void freshState() throws Exception {
        rows.reset();
        services.forgetServiceState();
        search.deleteAll("companies-*");
    }

    private Map<String, String> properties() {
        return properties(services.engineAddress().getAuthority());
    }

    private Map<String, String> properties(String engineHost) {
        Map<String, String> properties = services.serviceProperties(engineHost);
        properties.put("reindex.slices.size", String.valueOf(SLICE));
        properties.put("reindex.source.page-size", String.valueOf(PAGE));
        properties.put("reindex.bulk.max-documents", String.valueOf(2 * PAGE));
        properties.put("reindex.index.shards", System.getProperty("it.index.shards", "1"));
        String replicas = System.getProperty("it.index.replicas");
        if (replicas != null) {
            properties.put("reindex.index.replicas", replicas);
        }
        return properties;
    }

    private List<ServiceProcess> startThree(String test) throws Exception {
        List<ServiceProcess> instances = new ArrayList<>();
        for (char name = 'a'; name <= 'c'; name++) {
            instances.add(ServiceProcess.start(test + "-" + name, properties()));
        }
        return instances;
    }

    @Test
    void threeInstancesShareARunAndIndexEveryDocumentExactlyOnce() throws Exception {
        rows.generate(COMPANIES, 0.29);
        long published = rows.publishedCompanies();
        List<ServiceProcess> instances = startThree("sliced");
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));

            assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            assertThat(outcome.get("documents").asLong()).isEqualTo(published);
            String index = outcome.get("index").asText();
            assertThat(search.count(ALIAS)).isEqualTo(published);
            assertThat(search.indexOperations(index)).as("each document sent once, by one instance")
                    .isEqualTo(published);
            for (ServiceProcess instance : instances) {
                assertThat(instance.log()).as("every instance loaded slices").containsPattern("slice \\d+ .*pass 0: done");
            }
        } finally {
            closeAll(instances);
        }
    }

    @Test
    void aKilledInstancesSliceIsDoneAgainByAnother() throws Exception {
        rows.generate(COMPANIES, 0.29);
        long published = rows.publishedCompanies();
        List<ServiceProcess> instances = startThree("killed-worker");
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String requestId = services.request(requests, newRequestId());
            Claim claim = awaitAWorkerLoading(instances);
            ServiceProcess victim = claim.holder(instances);
            victim.kill();
            List<Integer> held = slicesHeldBy(claim.instance());
            assertThat(held).as("the killed instance was loading a slice").isNotEmpty();

            JsonNode outcome = services.outcome(outcomes, requestId);
            assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            assertThat(outcome.get("documents").asLong()).isEqualTo(published);
            assertThat(search.count(ALIAS)).isEqualTo(published);
            assertThat(String.join("\n", logsOfOthers(instances, victim)))
                    .as("another instance took slice %d over", held.getFirst())
                    .containsPattern("slice " + held.getFirst() + " \\(.*pass 0: done");
        } finally {
            closeAll(instances);
        }
    }

    @Test
    void whenEveryInstanceDiesTheNextOneResumesTheRunWithoutResendingFinishedSlices() throws Exception {
        rows.generate(COMPANIES, 0.29);
        long published = rows.publishedCompanies();
        List<ServiceProcess> instances = startThree("all-killed");
        String index;
        long doneDocuments;
        long operationsAtRestart;
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            String requestId = services.request(requests, newRequestId());
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> loadedSlices() >= 3 && loadedSlices() < plannedSlices() - 3);
            for (ServiceProcess instance : instances) {
                instance.kill();
            }
            index = runIndex();
            doneDocuments = loadedDocuments();
            List<Integer> finished = loadedSliceNumbers();
            // The engine still executes the bulk requests the killed instances had sent.
            operationsAtRestart = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(new StableCount(() -> search.indexOperations(index)), count -> count >= 0);
            assertThat(search.aliasTargets(ALIAS)).as("the alias did not move to the unfinished run").isEmpty();

            try (ServiceProcess restarted = ServiceProcess.start("all-killed-restarted", properties())) {
                JsonNode outcome = services.outcome(outcomes, requestId);
                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                assertThat(outcome.get("index").asText()).isEqualTo(index);
                assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                assertThat(search.count(ALIAS)).isEqualTo(published);
                assertThat(search.indexOperations(index) - operationsAtRestart)
                        .as("only the unfinished slices were sent again (%d documents were in finished ones)",
                                doneDocuments)
                        .isEqualTo(published - doneDocuments);
                assertThat(restarted.log()).contains("resuming with index " + index);
                for (int slice : finished) {
                    assertThat(restarted.log()).doesNotContainPattern("slice " + slice + " \\(.*pass 0: done");
                }
            }
        } finally {
            closeAll(instances);
        }
    }

    @Test
    void aStoppedInstanceHandsItsSliceBack() throws Exception {
        rows.generate(COMPANIES, 0.29);
        long published = rows.publishedCompanies();
        List<FaultyEngineProxy> engines = new ArrayList<>();
        List<ServiceProcess> instances = new ArrayList<>();
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            // Every load request of every instance waits in its proxy until the test lets it go: the one stopped
            // is then certainly loading, with most of its slice still to read, when the shutdown reaches it.
            List<FaultyEngineProxy.Hold> loads = new ArrayList<>();
            for (char name = 'a'; name <= 'c'; name++) {
                FaultyEngineProxy engine = FaultyEngineProxy.start(services.engineAddress());
                engines.add(engine);
                loads.add(engine.hold("POST", SLICE_WRITES, Integer.MAX_VALUE));
                instances.add(ServiceProcess.start("stopped-worker-" + name, properties(engine.hostAndPort())));
            }
            String requestId = services.request(requests, newRequestId());
            long leader = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                    .until(services::runningLeaderPid, pid -> pid > 0);
            int stoppedOne = instances.getFirst().pid() == leader ? 1 : 0;
            ServiceProcess stopped = instances.get(stoppedOne);
            FaultyEngineProxy.Hold stoppedLoad = loads.remove(stoppedOne);
            loads.forEach(FaultyEngineProxy.Hold::release);
            stoppedLoad.awaitHeld(1, Duration.ofMinutes(1));

            long stoppedAt = System.nanoTime();
            stopped.requestStop();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> stopped.log().contains("Shutting down: handing back"));
            stoppedLoad.release();
            stopped.stop();
            Duration stopTook = Duration.ofNanos(System.nanoTime() - stoppedAt);

            JsonNode outcome = services.outcome(outcomes, requestId);
            assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            assertThat(outcome.get("documents").asLong()).isEqualTo(published);
            assertThat(stopped.log()).contains("pass 0: handed back");
            assertThat(stopTook).as("the stop waits for no lease").isLessThan(Duration.ofSeconds(15));
        } finally {
            closeAll(instances);
            for (FaultyEngineProxy engine : engines) {
                engine.close();
            }
        }
    }

    @Test
    void writesOfEveryKindDuringASlicedRunEndInTheIndex() throws Exception {
        rows.generate(COMPANIES_CHANGED, 0.31);
        List<ServiceProcess> instances = startThree("sliced-writes");
        try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
            assertThat(services.outcome(outcomes, services.request(requests, newRequestId())).get("status").asText())
                    .isEqualTo("COMPLETED");
            try (OwningApplication application = OwningApplication.start(services.dataSource(),
                    services.engineAddress(), ALIAS, 20, compared::documentOf, 7)) {
                JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));
                assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                Thread.sleep(1_000);
                application.close();
                assertThat(application.changes()).as(application.summary()).isGreaterThan(50);
                assertThat(application.refused()).as(application.summary()).isZero();
            }
            search.refresh(ALIAS);
            assertThat(compared.inIndex(search, ALIAS)).isEqualTo(compared.inDatabase());
        } finally {
            closeAll(instances);
        }
    }

    // --- the state of the run, from the service's tables ---

    private record Claim(int slice, String instance) {
        ServiceProcess holder(List<ServiceProcess> instances) {
            return instances.stream().filter(service -> instance.contains("/" + service.pid() + "/")).findFirst()
                    .orElseThrow();
        }
    }

    /** Waits until an instance that does not lead the run is loading a slice, once another slice is done. */
    private Claim awaitAWorkerLoading(List<ServiceProcess> instances) {
        return await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> claimOfAWorker(instances), Optional::isPresent).get();
    }

    /** A slice being loaded by an instance that does not lead the run. */
    private Optional<Claim> claimOfAWorker(List<ServiceProcess> instances) throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        select s.slice, s.claimed_by from reindexer.run_slice s join reindexer.reindex_run r
                        on r.id = s.run_id where r.state = 'RUNNING' and s.pass = 0 and not s.done
                        and s.claimed_by is not null and s.claimed_by <> r.instance
                        and exists (select 1 from reindexer.run_slice d where d.run_id = s.run_id and d.done)
                        order by s.slice limit 1""");
                ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(new Claim(row.getInt(1), row.getString(2))) : Optional.empty();
        }
    }

    /** The slices of the load this instance held, unfinished. */
    private List<Integer> slicesHeldBy(String instance) throws SQLException {
        List<Integer> slices = new ArrayList<>();
        try (Connection connection = services.dataSource().getConnection();
                PreparedStatement select = connection.prepareStatement("""
                        select slice from reindexer.run_slice where pass = 0 and not done and claimed_by = ?
                        order by slice""")) {
            select.setString(1, instance);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    slices.add(row.getInt(1));
                }
            }
        }
        return slices;
    }

    private long loadedSlices() throws SQLException {
        return single("select count(*) from reindexer.run_slice where pass = 0 and done");
    }

    private List<Integer> loadedSliceNumbers() throws SQLException {
        List<Integer> slices = new ArrayList<>();
        try (Connection connection = services.dataSource().getConnection();
                ResultSet row = connection.createStatement()
                        .executeQuery("select slice from reindexer.run_slice where pass = 0 and done order by slice")) {
            while (row.next()) {
                slices.add(row.getInt(1));
            }
        }
        return slices;
    }

    /** A count read until it stops moving: -1 until two reads a poll apart agree, then that count. */
    private static final class StableCount implements Callable<Long> {
        private final Callable<Long> count;
        private long last = -1;

        StableCount(Callable<Long> count) {
            this.count = count;
        }

        @Override
        public Long call() throws Exception {
            long now = count.call();
            boolean stable = now == last;
            last = now;
            return stable ? now : -1;
        }
    }

    private long plannedSlices() throws SQLException {
        return single("select count(*) from reindexer.run_slice");
    }

    private long loadedDocuments() throws SQLException {
        return single("select coalesce(sum(documents), 0) from reindexer.run_slice where pass = 0 and done");
    }

    private String runIndex() throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                ResultSet row = connection.createStatement()
                        .executeQuery("select index_name from reindexer.reindex_run where state = 'RUNNING'")) {
            row.next();
            return row.getString(1);
        }
    }

    private long single(String sql) throws SQLException {
        try (Connection connection = services.dataSource().getConnection();
                ResultSet row = connection.createStatement().executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    // --- what the index and the database hold: the fields the owning application's changes touch ---

    private static List<String> logsOfOthers(List<ServiceProcess> instances, ServiceProcess except)
            throws IOException {
        List<String> logs = new ArrayList<>();
        for (ServiceProcess instance : instances) {
            if (instance != except) {
                logs.add(instance.log());
            }
        }
        return logs;
    }

    private static void closeAll(List<ServiceProcess> instances) throws InterruptedException {
        for (ServiceProcess instance : instances) {
            instance.close();
        }
    }
}
