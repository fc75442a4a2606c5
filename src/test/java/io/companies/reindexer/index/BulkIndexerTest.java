package io.companies.reindexer.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.TracerProvider;

class BulkIndexerTest {

    /**
     * An engine that answers bulk requests from a script (results, or failures to throw), in the order they come, and
     * remembers their bodies.
     */
    private static final class ScriptedEngine extends SearchEngine {
        final Deque<Object> answers = new ArrayDeque<>();
        final List<String> bodies = new ArrayList<>();

        @Override
        public synchronized BulkResult bulk(String index, byte[] ndjson, int offset, int length) throws IOException {
            bodies.add(new String(ndjson, offset, length, StandardCharsets.UTF_8));
            Object answer = answers.removeFirst();
            if (answer instanceof IOException failure) {
                throw failure;
            }
            return (BulkResult) answer;
        }
    }

    private final ScriptedEngine engine = new ScriptedEngine();
    private final AtomicInteger batchesMade = new AtomicInteger();
    private final BulkIndexer indexer = new BulkIndexer(engine, "companies-x", 2, Duration.ofMillis(50), Duration.ofMillis(1),
            () -> {
                batchesMade.incrementAndGet();
                return emptyBatch();
            }, new SimpleMeterRegistry());

    private static BulkBatch emptyBatch() {
        return new BulkBatch(new ObjectMapper().writer(), 100, 1_000_000);
    }

    private static BulkBatch batchOf(String... ids) {
        BulkBatch batch = emptyBatch();
        for (String id : ids) {
            batch.add(id, Map.of("id", id));
        }
        return batch;
    }

    @Test
    void sendsItemsRejectedAsTooBusyAgainUntilTheyLand() throws Exception {
        engine.answers.add(new BulkResult(1, List.of("2", "3"), List.of()));
        engine.answers.add(new BulkResult(1, List.of("3"), List.of()));
        engine.answers.add(new BulkResult(1, List.of(), List.of()));

        indexer.send(batchOf("1", "2", "3"));

        assertThat(indexer.documents()).isEqualTo(3);
        assertThat(engine.bodies).hasSize(3);
        assertThat(engine.bodies.get(1)).contains("\"2\"").contains("\"3\"").doesNotContain("\"1\"");
        assertThat(engine.bodies.get(2)).contains("\"3\"").doesNotContain("\"2\"");
    }

    @Test
    void keepsSendingAgainAsLongAsSomeOfTheBatchGetsThrough() throws Exception {
        List<String> ids = IntStream.rangeClosed(1, 10).mapToObj(String::valueOf).toList();
        // One document a try gets through, for ten tries that take about a second, far longer than the retry timeout.
        for (int through = 1; through <= ids.size(); through++) {
            engine.answers.add(new BulkResult(1, ids.subList(through, ids.size()), List.of()));
        }
        BulkIndexer patient = new BulkIndexer(engine, "companies-x", 1, Duration.ofMillis(20), Duration.ofMillis(2),
                BulkIndexerTest::emptyBatch, new SimpleMeterRegistry());

        assertThat(patient.send(batchOf(ids.toArray(String[]::new)))).as("pushed back").isTrue();

        assertThat(patient.documents()).isEqualTo(10);
        assertThat(engine.bodies).hasSize(10);
        patient.close();
    }

    @Test
    void givesUpWhenNothingGetsThroughForTheRetryTimeout() {
        for (int i = 0; i < 20; i++) {
            engine.answers.add(new BulkResult(0, List.of("1"), List.of()));
        }

        assertThatThrownBy(() -> indexer.send(batchOf("1"))).isInstanceOf(BulkFailedException.class)
                .hasMessageContaining("1 documents still not indexed: nothing of them got through for PT0.05S"
                        + " (reindex.bulk.retry-timeout): the engine could not take them now (429 or 503)");
        assertThat(engine.bodies).hasSizeBetween(5, 19);
    }

    @Test
    void aLostConnectionIsRetriedWithinTheSameBound() throws Exception {
        engine.answers.add(new ConnectException("Connection refused"));
        engine.answers.add(new BulkResult(2, List.of(), List.of()));

        assertThat(indexer.send(batchOf("1", "2"))).as("pushed back").isTrue();

        assertThat(indexer.documents()).isEqualTo(2);
        assertThat(engine.bodies).hasSize(2).allSatisfy(body -> assertThat(body).contains("\"1\"").contains("\"2\""));

        for (int i = 0; i < 20; i++) {
            engine.answers.add(new ConnectException("Connection refused"));
        }
        assertThatThrownBy(() -> indexer.send(batchOf("3"))).isInstanceOf(BulkFailedException.class)
                .hasMessageContaining("got through for PT0.05S (reindex.bulk.retry-timeout):"
                        + " java.net.ConnectException: Connection refused");
    }

    @Test
    void aRequestTheEngineFindsTooLargeIsSentInHalvesAndASingleDocumentTooLargeIsNamed() throws Exception {
        engine.answers.add(new SearchEngine.TooLargeException(null));
        engine.answers.add(new BulkResult(1, List.of(), List.of()));
        engine.answers.add(new SearchEngine.TooLargeException(null));

        assertThatThrownBy(() -> indexer.send(batchOf("1", "2"))).isInstanceOf(BulkFailedException.class)
                .hasMessageContaining("document 2 has")
                .hasMessageContaining("more than the engine accepts in one request (413)");
        assertThat(engine.bodies).hasSize(3);
        assertThat(engine.bodies.get(1)).contains("\"1\"").doesNotContain("\"2\"");
        assertThat(engine.bodies.get(2)).contains("\"2\"").doesNotContain("\"1\"");
    }

    @Test
    void aDocumentLargerThanTheByteBoundGoesAlone() throws Exception {
        BulkBatch batch = new BulkBatch(new ObjectMapper().writer(), 100, 100);
        batch.add("small-1", Map.of("n", 1));
        batch.add("large", Map.of("text", "x".repeat(500)));
        engine.answers.add(new BulkResult(1, List.of(), List.of()));
        engine.answers.add(new BulkResult(1, List.of(), List.of()));

        indexer.send(batch);

        assertThat(indexer.documents()).isEqualTo(2);
        assertThat(engine.bodies).hasSize(2);
        assertThat(engine.bodies.get(0)).contains("small-1").doesNotContain("large");
        assertThat(engine.bodies.get(1)).contains("large").doesNotContain("small-1");
    }

    @Test
    void aClosedIndexerSendsNothingAgain() throws Exception {
        BulkIndexer slow = new BulkIndexer(engine, "companies-x", 1, Duration.ofMinutes(5), Duration.ofMinutes(1),
                BulkIndexerTest::emptyBatch,
                new SimpleMeterRegistry());
        engine.answers.add(new BulkResult(0, List.of("1"), List.of()));
        slow.submit(batchOf("1"));
        Thread.sleep(200);
        long start = System.nanoTime();

        slow.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(engine.bodies).hasSize(1);
        assertThatThrownBy(slow::flush).isInstanceOf(BulkFailedException.class).hasMessageContaining("abandoned");
    }

    @Test
    void anyOtherItemFailureFailsAtOnce() {
        engine.answers.add(new BulkResult(1, List.of("3"),
                List.of(new BulkResult.ItemFailure("2", 400, "mapper_parsing_exception: bad field"))));

        assertThatThrownBy(() -> indexer.send(batchOf("1", "2", "3"))).isInstanceOf(BulkFailedException.class)
                .hasMessageContaining("document 2 (400): mapper_parsing_exception: bad field");
        assertThat(engine.bodies).hasSize(1);
    }

    @Test
    void aFailedBatchInFlightFailsTheFlush() throws Exception {
        engine.answers.add(new BulkResult(1, List.of(), List.of()));
        engine.answers.add(new BulkResult(0, List.of(),
                List.of(new BulkResult.ItemFailure("2", 400, "mapper_parsing_exception: bad field"))));

        indexer.submit(batchOf("1"));
        indexer.submit(batchOf("2"));

        assertThatThrownBy(indexer::flush).isInstanceOf(BulkFailedException.class).hasMessageContaining("document 2");
        assertThat(indexer.documents()).isEqualTo(1);
        indexer.close();
    }

    @Test
    void sentBatchesAreEmptiedAndReusedSoALoadNeedsConcurrencyPlusOneBuffers() throws Exception {
        for (int i = 0; i < 20; i++) {
            engine.answers.add(new BulkResult(1, List.of(), List.of()));
        }
        for (int i = 0; i < 20; i++) {
            BulkBatch batch = indexer.newBatch();
            assertThat(batch.isEmpty()).isTrue();
            batch.add("doc-" + i, Map.of("n", i));
            indexer.submit(batch);
        }
        indexer.flush();
        indexer.close();

        assertThat(indexer.documents()).isEqualTo(20);
        assertThat(batchesMade).hasValueLessThanOrEqualTo(3);
        assertThat(engine.bodies).hasSize(20)
                .allSatisfy(body -> assertThat(body.lines().filter(line -> line.startsWith("{\"index\"")).count())
                        .isEqualTo(1));
        // Two senders record their bodies in whichever order they finish: each document once, in a body of its own.
        assertThat(engine.bodies).extracting(body -> body.lines().findFirst().orElseThrow())
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20)
                        .mapToObj(i -> "{\"index\":{\"_id\":\"doc-" + i + "\"}}").toList());
    }

    @Test
    void closeHandsTheEmptiedBatchesOnForTheNextIndexer() throws Exception {
        List<BulkBatch> spare = new ArrayList<>();
        BulkIndexer first = new BulkIndexer(engine, "companies-x", 2, Duration.ofMillis(50), Duration.ofMillis(1),
                BulkIndexerTest::emptyBatch, spare::add, new SimpleMeterRegistry(), TracerProvider.noop().get(""));
        engine.answers.add(new BulkResult(1, List.of(), List.of()));
        engine.answers.add(new BulkResult(1, List.of(), List.of()));
        BulkBatch one = batchOf("1");
        BulkBatch two = batchOf("2");
        first.submit(one);
        first.submit(two);
        first.flush();

        first.close();

        assertThat(spare).containsExactlyInAnyOrder(one, two).allSatisfy(batch -> assertThat(batch.isEmpty()).isTrue());
    }
}
