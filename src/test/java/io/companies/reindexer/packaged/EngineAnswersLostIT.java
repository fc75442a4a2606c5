package io.companies.reindexer.packaged;

import static io.companies.reindexer.testing.PackagedServices.newRequestId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.companies.reindexer.testing.FaultyEngineProxy;
import io.companies.reindexer.testing.FaultyEngineProxy.Rule;
import io.companies.reindexer.testing.PackagedServices;
import io.companies.reindexer.testing.Requests;
import io.companies.reindexer.testing.SearchIndices;
import io.companies.reindexer.testing.SearchProbe;
import io.companies.reindexer.testing.ServiceProcess;
import io.companies.reindexer.testing.SourceRows;
import io.companies.reindexer.testing.TopicWatcher;

import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The packaged service talks to the engine through a proxy that loses answers, loses requests, fails bulk items,
 * refuses large bodies, while searchers read the alias straight from the engine: every unclear answer is read back or
 * repeated and the run completes with the alias on a complete index, searchers never see an error, an empty or a
 * partial index, and a write block fails the run at once with the alias untouched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineAnswersLostIT {

    private static final String ALIAS = "companies";
    private static final String INDEX = "/companies-[a-z0-9]{32}";
    // Bulk requests go through the alias of a claim of a slice: <index>.slice-<n>.pass-<p>.attempt-<a>.
    // The swap's _aliases body, not a slice writer's (whose aliases are the index's name and more).
    private static final String SWAP = "\"alias\":\"" + ALIAS + "\"";
    private static final String BULK = INDEX + "\\.slice-[0-9.a-z-]+/_bulk";
    private static final int DOCUMENTS_PER_BULK = 200; // PackagedServices' reindex.bulk.max-documents

    private static PackagedServices services;
    private static SearchIndices search;
    private static FaultyEngineProxy proxy;
    private static ServiceProcess service;
    private static TopicWatcher outcomes;
    private static Requests requests;
    private static long published;

    @BeforeAll
    static void startTheServiceBehindTheProxy() throws Exception {
        services = new PackagedServices();
        search = services.search();
        SourceRows rows = new SourceRows(services.dataSource());
        rows.reset();
        services.forgetServiceState();
        rows.generate(20_000, 0.47);
        published = rows.publishedCompanies();
        proxy = FaultyEngineProxy.start(services.engineAddress());
        Map<String, String> properties = services.serviceProperties();
        properties.put("quarkus.elasticsearch.hosts", proxy.hostAndPort());
        outcomes = services.watchOutcomes();
        requests = services.requests();
        service = ServiceProcess.start("engine-answers-lost", properties);
        // A good index behind the alias, so that every test has an old index for the swap to retire.
        JsonNode first = services.outcome(outcomes, services.request(requests, newRequestId()));
        assertThat(first.get("status").asText()).as("the first run, without faults: %s", first)
                .isEqualTo("COMPLETED");
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (requests != null) {
            requests.close();
        }
        if (outcomes != null) {
            outcomes.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        services.close();
    }

    @Test
    @Order(1)
    void theAnswerToTheSwapIsLostAfterTheEngineMovedTheAlias() throws Exception {
        Rule lost = proxy.dropAnswerIfBodyContains("POST", "/_aliases", SWAP, 1);
        List<String> before = search.aliasTargets(ALIAS);

        try (SearchProbe probe = probe()) {
            JsonNode outcome = reindex(probe);
            assertCompletedSwap(outcome, before, probe);
        }
        assertThat(lost.applied()).as("answers to POST /_aliases dropped").isEqualTo(1);
    }

    @Test
    @Order(2)
    void theSwapIsLostBeforeItReachedTheEngineAndIsSentAgain() throws Exception {
        Rule lost = proxy.dropRequestIfBodyContains("POST", "/_aliases", SWAP, 1);
        List<String> before = search.aliasTargets(ALIAS);
        int swapsBefore = proxy.requests("POST", "/_aliases", SWAP);

        try (SearchProbe probe = probe()) {
            JsonNode outcome = reindex(probe);
            assertCompletedSwap(outcome, before, probe);
        }
        assertThat(lost.applied()).as("POST /_aliases requests dropped").isEqualTo(1);
        assertThat(proxy.requests("POST", "/_aliases", SWAP) - swapsBefore)
                .as("POST /_aliases sent: the lost one, then the one sent again").isEqualTo(2);
    }

    @Test
    @Order(3)
    void lostAnswersToTheAdministrativeCallsAreReadBackOrRepeated() throws Exception {
        Map<String, Rule> lost = Map.of(
                "PUT <index> (create)", proxy.dropAnswer("PUT", INDEX, 1),
                "PUT <index>/_settings", proxy.dropAnswer("PUT", INDEX + "/_settings", 1),
                "POST <index>/_refresh", proxy.dropAnswer("POST", INDEX + "/_refresh", 1),
                "GET <index>/_count", proxy.dropAnswer("GET", INDEX + "/_count", 1),
                "POST <index>/_flush", proxy.dropAnswer("POST", INDEX + "/_flush", 1),
                "PUT <index>/_mapping", proxy.dropAnswer("PUT", INDEX + "/_mapping", 1),
                "DELETE <index>", proxy.dropAnswer("DELETE", INDEX, 1));
        List<String> before = search.aliasTargets(ALIAS);

        try (SearchProbe probe = probe()) {
            JsonNode outcome = reindex(probe);
            assertCompletedSwap(outcome, before, probe);
        }
        lost.forEach((call, rule) -> assertThat(rule.applied()).as("answers dropped to %s", call).isEqualTo(1));
    }

    @Test
    @Order(4)
    void bulkItemsRejectedAsUnavailableAreSentAgain() throws Exception {
        Rule unavailable = proxy.failBulkItems(BULK, 2, 503, "unavailable_shards_exception");
        List<String> before = search.aliasTargets(ALIAS);

        try (SearchProbe probe = probe()) {
            JsonNode outcome = reindex(probe);
            assertCompletedSwap(outcome, before, probe);
        }
        assertThat(unavailable.applied()).as("_bulk answers with every item failed 503").isEqualTo(2);
    }

    @Test
    @Order(5)
    void bodiesTheEngineRefusesAsTooLargeAreSentInParts() throws Exception {
        int limit = 300_000;
        List<String> before = search.aliasTargets(ALIAS);
        int bulksBefore = proxy.requests("POST", BULK);
        proxy.limitBodyBytes(limit);
        try (SearchProbe probe = probe()) {
            JsonNode outcome = reindex(probe);
            assertCompletedSwap(outcome, before, probe);
        } finally {
            proxy.limitBodyBytes(0);
        }
        int bulks = proxy.requests("POST", BULK) - bulksBefore;
        long unsplit = (published + DOCUMENTS_PER_BULK - 1) / DOCUMENTS_PER_BULK;
        assertThat(bulks).as("_bulk requests for %d documents, %d per request and at most %d bytes a body (%d requests"
                + " if the bodies had not been split)", published, DOCUMENTS_PER_BULK, limit, unsplit)
                .isGreaterThan((int) unsplit);
    }

    @Test
    @Order(6)
    void aWriteBlockOnTheNewIndexFailsTheRunAtOnceAndLeavesTheAliasAlone() throws Exception {
        List<String> before = search.aliasTargets(ALIAS);
        assertThat(before).hasSize(1);
        String good = before.getFirst();
        List<String> existing = search.indices("companies-*");

        try (SearchProbe probe = probe();
                RestClient engine = RestClient.builder(
                        HttpHost.create(services.engineAddress().toString())).build()) {
            probe.awaitSearches(20, Duration.ofSeconds(30));
            String requestId = services.request(requests, newRequestId());
            String blocked = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> filling(existing, 1_000), index -> index != null);
            Request block = new Request("PUT", "/" + blocked + "/_settings");
            block.setJsonEntity("{\"index.blocks.read_only_allow_delete\":true}");
            Instant blockedAt = Instant.now();
            engine.performRequest(block);

            JsonNode outcome = services.outcome(outcomes, requestId);
            assertThat(outcome.get("status").asText()).as("outcome %s", outcome).isEqualTo("FAILED");
            assertThat(outcome.get("index").asText()).isEqualTo(blocked);
            assertThat(outcome.get("error").asText()).contains("cluster_block_exception");
            Duration failedAfter = Duration.between(blockedAt, Instant.parse(outcome.get("completedAt").asText()));
            assertThat(failedAfter).as("from the block to the FAILED outcome (retrying a block would take about 2"
                    + " minutes); outcome %s", outcome).isLessThan(Duration.ofSeconds(15));

            assertThat(search.aliasTargets(ALIAS)).as("the alias after the failed run").containsExactly(good);
            assertThat(search.count(ALIAS)).isEqualTo(published);
            assertThat(search.exists(blocked)).as("the blocked index %s still exists", blocked).isFalse();
            assertThat(search.indices("companies-*")).containsExactly(good);
            probe.close();
            assertThat(probe.failed() + probe.empty() + probe.wrongTotals()).as(probe.summary()).isZero();
        }
    }

    /** An index created since {@code existing} was listed that took at least {@code operations} writes, or null. */
    private static String filling(List<String> existing, long operations) throws Exception {
        for (String index : search.indices("companies-*")) {
            if (!existing.contains(index) && search.indexOperations(index) >= operations) {
                return index;
            }
        }
        return null;
    }

    private static SearchProbe probe() {
        return SearchProbe.start(services.engineAddress(), ALIAS, 4, Duration.ofMillis(5), () -> published);
    }

    /** Requests a run while {@code probe} searches, and returns its outcome. */
    private static JsonNode reindex(SearchProbe probe) throws Exception {
        probe.awaitSearches(20, Duration.ofSeconds(30));
        JsonNode outcome = services.outcome(outcomes, services.request(requests, newRequestId()));
        probe.awaitSearches(probe.searches() + 20, Duration.ofSeconds(30));
        probe.close();
        return outcome;
    }

    /**
     * The run completed, the alias points to its index alone, which holds every published company, the indices the
     * alias pointed to before are gone, and searchers never saw an error, no hits or a partial total.
     */
    private static void assertCompletedSwap(JsonNode outcome, List<String> before, SearchProbe probe)
            throws Exception {
        assertThat(outcome.get("status").asText()).as("outcome %s", outcome).isEqualTo("COMPLETED");
        String index = outcome.get("index").asText();
        assertThat(search.aliasTargets(ALIAS)).as("alias after the run").containsExactly(index);
        assertThat(outcome.get("documents").asLong()).as("documents of %s", index).isEqualTo(published);
        assertThat(search.count(ALIAS)).as("documents through the alias").isEqualTo(published);
        assertThat(outcome.get("previousIndices")).extracting(JsonNode::asText).containsExactlyElementsOf(before);
        assertThat(outcome.get("deletedIndices")).extracting(JsonNode::asText).containsAll(before);
        assertThat(search.indices("companies-*")).as("indices left after the run (before it: %s)", before)
                .containsExactly(index);
        assertThat(probe.searches()).as(probe.summary()).isGreaterThan(40);
        assertThat(probe.failed() + probe.empty() + probe.wrongTotals()).as(probe.summary()).isZero();
    }
}
