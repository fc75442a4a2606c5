package io.companies.reindexer.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The retirement of an old index against the real engine: a write that resolved the alias before the swap and is still
 * running on the old index (one that waits for shard copies that never come, which the index's statistics do not show
 * as in flight) keeps the index alive until it ends, and a swap the engine did not confirm waits the grace.
 */
@QuarkusTest
class IndexRetirementTest {

    private static final Duration WRITE_WAIT = Duration.ofSeconds(3);

    @Inject
    SearchEngine engine;

    @Inject
    RestClient client;

    private String alias;
    private String oldIndex;
    private String newIndex;

    @BeforeEach
    void twoIndicesTheAliasOnTheOldOne() throws IOException {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        alias = "retirement-" + suffix;
        oldIndex = alias + "-old";
        newIndex = alias + "-new";
        // More replicas than any test cluster has nodes: a write that waits for every copy waits its whole timeout.
        send("PUT", "/" + oldIndex,
                "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":3},\"aliases\":{\"" + alias + "\":{}}}");
        send("PUT", "/" + newIndex, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}");
    }

    @Test
    void aWriteRunningOnTheOldIndexAtTheSwapEndsBeforeTheIndexIsDeleted() throws Exception {
        CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> answerTo("POST", "/" + alias
                + "/_doc?wait_for_active_shards=all&timeout=" + WRITE_WAIT.toSeconds() + "s", "{\"name\":\"late\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> writesRunning() > 0);

        AliasSwap swap = new AliasSwap(List.of(oldIndex), List.of(oldIndex), moveAlias(), true);
        assertThat(engine.updateAliases(swap.actions())).as("every node applied the swap").isTrue();
        IndexRetirement retirement = new IndexRetirement(engine, Duration.ZERO, Duration.ofSeconds(30));
        IndexRetirement.InFlight inFlight = retirement.inFlightAfter(swap);
        assertThat(inFlight.operations()).as("the write is among the operations running at the swap").isNotEmpty();

        retirement.retire(List.of(oldIndex), inFlight, () -> {
        });

        assertThat(write).as("the write had ended when the old index was deleted").isDone();
        assertThat(write.get()).as("it timed out waiting for shard copies, its index still there")
                .doesNotContain("index_not_found_exception").contains("unavailable_shards_exception");
        assertThat(engine.exists(oldIndex)).isFalse();
    }

    @Test
    void aSwapTheEngineDidNotConfirmWaitsTheGrace() throws Exception {
        AliasSwap swap = new AliasSwap(List.of(oldIndex), List.of(oldIndex), moveAlias(), false);
        engine.updateAliases(swap.actions());
        Duration grace = Duration.ofMillis(1500);
        IndexRetirement retirement = new IndexRetirement(engine, grace, Duration.ofSeconds(30));
        IndexRetirement.InFlight inFlight = retirement.inFlightAfter(swap);
        assertThat(inFlight.operations()).as("unknown").isNull();

        long start = System.nanoTime();
        retirement.retire(List.of(oldIndex), inFlight, () -> {
        });

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(grace.minusMillis(100));
        assertThat(engine.exists(oldIndex)).isFalse();
    }

    private ArrayNode moveAlias() {
        ArrayNode actions = JsonNodeFactory.instance.arrayNode();
        actions.addObject().putObject("add").put("index", newIndex).put("alias", alias);
        actions.addObject().putObject("remove").put("index", oldIndex).put("alias", alias);
        return actions;
    }

    private long writesRunning() {
        String tasks = answerTo("GET", "/_tasks?actions=indices:data/write/*&group_by=none", null);
        return tasks.split("\"action\"").length - 1;
    }

    private void send(String method, String path, String body) throws IOException {
        Request request = new Request(method, path);
        request.setJsonEntity(body);
        client.performRequest(request);
    }

    /** The engine's answer, an error's included. */
    private String answerTo(String method, String path, String body) {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(body);
        }
        try {
            return new String(client.performRequest(request).getEntity().getContent().readAllBytes());
        } catch (ResponseException e) {
            try {
                return new String(e.getResponse().getEntity().getContent().readAllBytes());
            } catch (IOException unreadable) {
                throw new IllegalStateException(unreadable);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
