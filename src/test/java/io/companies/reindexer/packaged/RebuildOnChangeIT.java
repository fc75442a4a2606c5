package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.companies.reindexer.testing.OtherBuild;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.ServiceTopics;
import io.companies.reindexer.testing.TopicWatcher;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Rebuild on change with two packaged builds that differ in one code-list label, the newer one with definition version
 * 2, as a deploy of a new definition runs them: on a fresh engine (no alias) the newer build starts nothing; on an
 * alias the older build filled, three instances of the newer build starting together rebuild exactly once, while the
 * older build, still running, does not rebuild back, nor once started again after them.
 */
class RebuildOnChangeIT {

    private static final String ALIAS = "companies";
    private static final String NEW_LABEL = "Aerospace and defence";
    /** Several polls (every second in the tests). */
    private static final Duration QUIET = Duration.ofSeconds(6);

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aNewerDefinitionIsRebuiltOnceAndNeverBack() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            long published = services.freshSource(2_000, 0.53).publishedCompanies();
            for (String index : search.aliasTargets(ALIAS)) {
                search.deleteAll(index);
            }
            Map<String, String> older = services.serviceProperties();
            older.put("reindex.rebuild-on-change", "true");
            Map<String, String> newer = new TreeMap<>(older);
            newer.put("reindex.definition-version", "2");
            Path newerJar = OtherBuild.withLabel("definition-2", "industries", "AEROSPACE", NEW_LABEL);

            try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
                try (ServiceProcess fresh = ServiceProcess.start("newer-fresh-engine", newer, newerJar)) {
                    assertThat(outcomes.drain(QUIET)).as("a fresh engine: nothing").isEmpty();
                    assertThat(search.aliasTargets(ALIAS)).isEmpty();
                }

                try (ServiceProcess olderBuild = ServiceProcess.start("older-build", older)) {
                    String first = services.request(requests, newRequestId());
                    JsonNode built = services.outcome(outcomes, first);
                    assertThat(built.get("status").asText()).as(built.toString()).isEqualTo("COMPLETED");
                    String oldIndex = built.get("index").asText();
                    assertThat(search.mappingMeta(oldIndex).path("definitionVersion").asInt()).isEqualTo(1);
                    String oldDefinition = search.mappingMeta(oldIndex).path("definition").asText();
                    int seen = outcomes.drain(Duration.ZERO).size();

                    List<ServiceProcess> newerBuilds = startTogether(newer, newerJar, 3);
                    try {
                        ConsumerRecord<byte[], byte[]> rebuilt = outcomes
                                .await(record -> !ServiceTopics.hasKey(record, first), ServiceTopics.RUN_TIMEOUT);
                        JsonNode outcome = json.readTree(rebuilt.value());
                        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                        assertThat(outcome.get("previousIndices")).extracting(JsonNode::asText)
                                .containsExactly(oldIndex);
                        assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                        String newIndex = outcome.get("index").asText();
                        assertThat(search.aliasTargets(ALIAS)).containsExactly(newIndex);
                        assertThat(search.mappingMeta(newIndex).path("definitionVersion").asInt()).isEqualTo(2);
                        assertThat(search.mappingMeta(newIndex).path("definition").asText()).as("one label differs")
                                .isNotEqualTo(oldDefinition);
                        assertThat(search.exists(oldIndex)).as("retired").isFalse();

                        List<ConsumerRecord<byte[], byte[]>> all = outcomes.drain(QUIET);
                        assertThat(all.subList(seen, all.size())).as("exactly one rebuild, the older build's none")
                                .hasSize(1);
                        long requesters = newerBuilds.stream().filter(service -> {
                            try {
                                return service.log().contains("requested rebuild");
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }).count();
                        assertThat(requesters).as("one instance recorded the request").isEqualTo(1);
                    } finally {
                        for (ServiceProcess service : newerBuilds) {
                            service.close();
                        }
                    }
                }
                String live = search.aliasTargets(ALIAS).getFirst();
                int seen = outcomes.drain(Duration.ZERO).size();

                try (ServiceProcess olderAgain = ServiceProcess.start("older-build-again", older)) {
                    List<ConsumerRecord<byte[], byte[]>> all = outcomes.drain(QUIET);
                    assertThat(all.subList(seen, all.size())).as("the older build does not rebuild back").isEmpty();
                    assertThat(search.aliasTargets(ALIAS)).containsExactly(live);
                    assertThat(olderAgain.log()).doesNotContain("requested rebuild");
                }
            }
        }
    }

    private static List<ServiceProcess> startTogether(Map<String, String> properties, Path jar, int count) {
        List<CompletableFuture<ServiceProcess>> starts = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = "newer-build-" + i;
            starts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ServiceProcess.start(name, properties, jar);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        return starts.stream().map(CompletableFuture::join).toList();
    }
}
