package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.companies.reindexer.testing.OtherBuild;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.TopicWatcher;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One run, one build. Two builds of the service that differ in one code-list label share the tables, as during a
 * rolling deploy: the newer build takes no slice of the run the older one leads, and when the older leader is killed
 * before its swap, the newer build starts the run again rather than resume it, so that no index mixes documents of both
 * builds. Before, both loaded the same run, and the index carried both labels.
 */
class OneRunOneBuildIT {

    private static final String ALIAS = "companies";
    private static final String OLD_LABEL = "Aerospace";
    private static final String NEW_LABEL = "Aerospace and defence";

    @Test
    void anotherBuildTakesNoSliceOfTheRunAndStartsItAgainOnceItsLeaderDied() throws Exception {
        try (PackagedServices services = new PackagedServices()) {
            SearchIndices search = services.search();
            long published = services.freshSource(20_000, 0.53).publishedCompanies();
            Path newer = OtherBuild.withLabel("newer", "industries", "AEROSPACE", NEW_LABEL);
            Map<String, String> properties = services.serviceProperties();
            // Pages of 20 keep the older build loading while the newer one starts and looks for slices.
            properties.put("reindex.source.page-size", "20");

            try (TopicWatcher outcomes = services.watchOutcomes(); Requests requests = services.requests()) {
                String requestId;
                String oldIndex;
                List<String> before = search.indices("companies-*");
                try (ServiceProcess older = ServiceProcess.start("older-build", properties)) {
                    requestId = services.request(requests, newRequestId());
                    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                            .until(() -> older.log().contains("open to every instance"));
                    try (ServiceProcess newerBuild = ServiceProcess.start("newer-build", properties, newer)) {
                        oldIndex = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                                .until(() -> newIndex(search, before), index -> index != null);
                        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                                .until(() -> search.indexOperations(oldIndex) >= published / 2);
                        assertThat(newerBuild.log()).as("the newer build loads no slice of the older build's run")
                                .doesNotContain(", slice ");
                        assertThat(labelsIn(search, oldIndex)).as("labels in the older build's index")
                                .isNotEmpty().containsOnly(OLD_LABEL);
                        older.kill();

                        JsonNode outcome = services.outcome(outcomes, requestId, Duration.ofMinutes(4));
                        assertThat(outcome.get("status").asText()).as(outcome.toString()).isEqualTo("COMPLETED");
                        assertThat(outcome.get("documents").asLong()).isEqualTo(published);
                        String index = outcome.get("index").asText();
                        assertThat(index).as("started again in an index of its own").isNotEqualTo(oldIndex);
                        assertThat(search.exists(oldIndex)).as("the older build's index is deleted").isFalse();
                        assertThat(newerBuild.log()).contains("Started again: another build of the service");
                        assertThat(services.allOutcomes(outcomes, requestId, Duration.ofSeconds(3))).hasSize(1);
                        List<String> labels = labelsIn(search, ALIAS);
                        assertThat(labels).as("every document built by the newer build").isNotEmpty()
                                .containsOnly(NEW_LABEL);
                    }
                }
            }
        }
    }

    /** The index created since {@code before} was listed, or null. */
    private static String newIndex(SearchIndices search, List<String> before) throws Exception {
        return search.indices("companies-*").stream().filter(index -> !before.contains(index)).findFirst()
                .orElse(null);
    }

    /** The labels the documents in {@code indexOrAlias} give the sector AEROSPACE. */
    private static List<String> labelsIn(SearchIndices search, String indexOrAlias) throws Exception {
        search.refresh(indexOrAlias);
        List<String> labels = new ArrayList<>();
        for (JsonNode source : search.allSources(indexOrAlias)) {
            JsonNode sectors = source.path("sectors");
            for (int i = 0; i < sectors.size(); i++) {
                if (sectors.get(i).asText().equals("AEROSPACE")) {
                    labels.add(source.path("sectors_label").get(i).asText());
                }
            }
        }
        return labels;
    }
}
