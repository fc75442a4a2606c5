package io.companies.reindexer.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.reindex.BuildDefinition;
import io.companies.reindexer.state.RunHistory;
import io.companies.reindexer.state.RunHistory.RunRecord;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Rebuild on change against the real services, as a build whose definition is version 2: with the alias on an index
 * stamped with version 1 of another definition, three checks at once (three instances starting together) make one
 * request, which one run serves to {@code COMPLETED} on reindex-completed, leaving the alias on an index of this
 * build's definition; an index of the same or a newer version, or no alias, starts nothing, although the trigger also
 * polls every second meanwhile.
 */
@QuarkusTest
@TestProfile(RebuildOnChangeTest.NewerBuild.class)
class RebuildOnChangeTest {

    private static final String ALIAS = "companies";
    /** Long enough for several polls of the trigger (every second in tests) and the run one of them would start. */
    private static final Duration QUIET = Duration.ofSeconds(5);

    /** A build of definition version 2 that rebuilds on change (the test profile switches it off for the others). */
    public static class NewerBuild implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("reindex.rebuild-on-change", "true", "reindex.definition-version", "2");
        }
    }

    @Inject
    ServiceTopics topics;

    @Inject
    DataSource dataSource;

    @Inject
    RestClient engineClient;

    @Inject
    BuildDefinition build;

    @Inject
    DefinitionChangeTrigger trigger;

    @Inject
    RunHistory history;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void anOlderDefinitionIsRebuiltOnceAndAnEqualOrNewerOneOrNoAliasStartsNothing() throws Exception {
        SourceRows rows = new SourceRows(dataSource);
        SearchIndices search = new SearchIndices(engineClient);
        rows.reset();
        rows.generate(300, 0.61);
        // The alias on an index of this build, whatever an earlier test class left behind it.
        String live = topics.completedRun().get("index").asText();
        long lastRun = lastRunId();

        String older = stampedIndex(1);
        try (TopicWatcher outcomes = topics.watchOutcomes()) {
            moveAlias(live, older);
            List<Optional<ReindexRequested>> requests = threeInstancesCheck();

            String requestId = requests.get(0).orElseThrow().requestId();
            assertThat(requests).allSatisfy(request -> assertThat(request.orElseThrow().requestId())
                    .isEqualTo(requestId));
            JsonNode outcome = json.readTree(
                    outcomes.await(record -> ServiceTopics.hasKey(record, requestId), ServiceTopics.RUN_TIMEOUT)
                            .value());
            assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
            assertThat(outcome.get("previousIndices")).extracting(JsonNode::asText).containsExactly(older);
            String rebuilt = outcome.get("index").asText();
            assertThat(search.aliasTargets(ALIAS)).containsExactly(rebuilt);
            JsonNode meta = search.mappingMeta(rebuilt);
            assertThat(meta.path("definition").asText()).isEqualTo(build.fingerprint());
            assertThat(meta.path("definitionVersion").asInt()).isEqualTo(2);
            assertThat(meta.path("documents").asLong()).isEqualTo(rows.publishedCompanies());

            assertThat(trigger.check()).as("the rebuilt index is of this build").isEmpty();
            assertThat(outcomes.drain(QUIET)).as("one outcome, published once, although the trigger polls on")
                    .singleElement().matches(record -> ServiceTopics.hasKey(record, requestId));
            List<RunRecord> runs = runsAfter(lastRun);
            assertThat(runs).as("exactly one rebuild").hasSize(1);
            assertThat(runs.get(0).requestIds()).containsExactly(requestId);
            live = rebuilt;
            lastRun = runs.get(0).id();
        } finally {
            search.deleteAll(older);
        }

        for (int version : new int[] { 2, 3 }) {
            String sameOrNewer = stampedIndex(version);
            try {
                moveAlias(live, sameOrNewer);
                assertThat(trigger.check()).as("version %d", version).isEmpty();
                Thread.sleep(QUIET.toMillis());
                assertThat(runsAfter(lastRun)).as("version %d", version).isEmpty();
                assertThat(search.aliasTargets(ALIAS)).containsExactly(sameOrNewer);
            } finally {
                moveAlias(sameOrNewer, live);
                search.deleteAll(sameOrNewer);
            }
        }

        removeAlias(live);
        try {
            assertThat(trigger.check()).as("no alias").isEmpty();
            Thread.sleep(QUIET.toMillis());
            assertThat(runsAfter(lastRun)).as("no alias").isEmpty();
            assertThat(search.aliasTargets(ALIAS)).isEmpty();
        } finally {
            addAlias(live);
        }
    }

    /** The checks of three instances that start together, each on a thread of its own. */
    private List<Optional<ReindexRequested>> threeInstancesCheck() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<CompletableFuture<Optional<ReindexRequested>>> checks = List.of(check(threads), check(threads),
                    check(threads));
            return checks.stream().map(CompletableFuture::join).toList();
        } finally {
            threads.shutdown();
        }
    }

    private CompletableFuture<Optional<ReindexRequested>> check(ExecutorService threads) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return trigger.check();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    /** An empty index (the test profile's shrink guard is off) that records another definition of {@code version}. */
    private String stampedIndex(int version) throws Exception {
        String name = "rebuild-on-change-" + UUID.randomUUID();
        Request create = new Request("PUT", "/" + name);
        create.setJsonEntity("{\"mappings\":{\"_meta\":{\"definition\":\"" + "0".repeat(32)
                + "\",\"definitionVersion\":" + version + "}}}");
        engineClient.performRequest(create);
        return name;
    }

    private long lastRunId() {
        return history.recentRuns(1, null).stream().mapToLong(RunRecord::id).findFirst().orElse(0);
    }

    private List<RunRecord> runsAfter(long runId) {
        return history.recentRuns(10, null).stream().filter(run -> run.id() > runId).toList();
    }

    private void moveAlias(String from, String to) throws Exception {
        aliases("{\"remove\":{\"index\":\"" + from + "\",\"alias\":\"" + ALIAS + "\"}},{\"add\":{\"index\":\"" + to
                + "\",\"alias\":\"" + ALIAS + "\"}}");
    }

    private void removeAlias(String from) throws Exception {
        aliases("{\"remove\":{\"index\":\"" + from + "\",\"alias\":\"" + ALIAS + "\"}}");
    }

    private void addAlias(String to) throws Exception {
        aliases("{\"add\":{\"index\":\"" + to + "\",\"alias\":\"" + ALIAS + "\"}}");
    }

    private void aliases(String actions) throws Exception {
        Request request = new Request("POST", "/_aliases");
        request.setJsonEntity("{\"actions\":[" + actions + "]}");
        engineClient.performRequest(request);
    }
}
