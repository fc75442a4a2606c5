package io.companies.reindexer.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class BulkBatchTest {

    private final ObjectMapper json = new ObjectMapper();

    private static String body(BulkBatch batch) {
        return new String(batch.buffer(), batch.offset(), batch.bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void writesAnActionAndADocumentLinePerItem() {
        BulkBatch batch = new BulkBatch(json.writer(), 10, 1_000_000);
        batch.add("1", Map.of("name", "Acme"));
        batch.add("2", Map.of("name", "Line\nbreak"));
        assertThat(body(batch)).isEqualTo("""
                {"index":{"_id":"1"}}
                {"name":"Acme"}
                {"index":{"_id":"2"}}
                {"name":"Line\\nbreak"}
                """);
        assertThat(batch.ids()).containsExactly("1", "2");
    }

    @Test
    void writesConditionalWritesAndDeletesWithTheDocumentsPlaceInItsShard() {
        BulkBatch batch = new BulkBatch(json.writer(), 10, 1_000_000);
        batch.replace("1", Map.of("name", "Acme"), new SearchEngine.SeqNo(17, 2));
        batch.create("2", Map.of("name", "New"));
        batch.delete("3", new SearchEngine.SeqNo(4, 1));
        assertThat(body(batch)).isEqualTo("""
                {"index":{"_id":"1","if_seq_no":17,"if_primary_term":2}}
                {"name":"Acme"}
                {"create":{"_id":"2"}}
                {"name":"New"}
                {"delete":{"_id":"3","if_seq_no":4,"if_primary_term":1}}
                """);
        assertThat(batch.ids()).containsExactly("1", "2", "3");
    }

    @Test
    void splitsIntoHalvesAndKnowsWhenItIsOverTheByteBound() {
        BulkBatch batch = new BulkBatch(json.writer(), 10, 60);
        batch.add("1", Map.of("text", "x".repeat(20)));
        assertThat(batch.isOversized()).as("a single item is never oversized").isFalse();
        batch.add("2", Map.of("text", "x".repeat(20)));
        batch.add("3", Map.of("text", "x".repeat(20)));
        assertThat(batch.isOversized()).isTrue();

        List<BulkBatch> halves = batch.halves();

        assertThat(halves).extracting(BulkBatch::ids).containsExactly(List.of("1"), List.of("2", "3"));
        assertThat(body(halves.get(0)) + body(halves.get(1))).isEqualTo(body(batch));
    }

    @Test
    void halvesReadTheBatchInPlaceAndCanBeHalvedAndRetainedAgain() {
        BulkBatch batch = new BulkBatch(json.writer(), 10, 60);
        for (String id : List.of("1", "2", "3", "4", "5")) {
            batch.add(id, Map.of("id", id));
        }

        BulkBatch second = batch.halves().get(1);
        assertThat(second.buffer()).as("no copy").isSameAs(batch.buffer());
        assertThat(second.offset()).isPositive();
        assertThat(body(second)).isEqualTo("""
                {"index":{"_id":"3"}}
                {"id":"3"}
                {"index":{"_id":"4"}}
                {"id":"4"}
                {"index":{"_id":"5"}}
                {"id":"5"}
                """);
        assertThat(second.halves()).extracting(BulkBatch::ids).containsExactly(List.of("3"), List.of("4", "5"));
        assertThat(body(second.halves().get(1))).isEqualTo("""
                {"index":{"_id":"4"}}
                {"id":"4"}
                {"index":{"_id":"5"}}
                {"id":"5"}
                """);
        BulkBatch retry = second.retain(List.of("5"));
        assertThat(retry.offset()).isZero();
        assertThat(retry.buffer()).hasSize(retry.bytes());
        assertThat(body(retry)).isEqualTo("""
                {"index":{"_id":"5"}}
                {"id":"5"}
                """);
        assertThatThrownBy(() -> second.add("6", Map.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void isFullAtTheDocumentOrTheByteLimit() {
        BulkBatch byCount = new BulkBatch(json.writer(), 2, 1_000_000);
        byCount.add("1", Map.of());
        assertThat(byCount.isFull()).isFalse();
        byCount.add("2", Map.of());
        assertThat(byCount.isFull()).isTrue();

        BulkBatch byBytes = new BulkBatch(json.writer(), 1000, 100);
        byBytes.add("1", Map.of("text", "x".repeat(50)));
        assertThat(byBytes.isFull()).isFalse();
        byBytes.add("2", Map.of("text", "x".repeat(50)));
        assertThat(byBytes.isFull()).isTrue();
    }

    @Test
    void retainsOnlyTheGivenItemsInOrder() {
        BulkBatch batch = new BulkBatch(json.writer(), 10, 1_000_000);
        for (String id : List.of("1", "2", "3", "4")) {
            batch.add(id, Map.of("id", id));
        }
        BulkBatch retry = batch.retain(List.of("4", "2"));
        assertThat(retry.ids()).containsExactly("2", "4");
        assertThat(body(retry)).isEqualTo("""
                {"index":{"_id":"2"}}
                {"id":"2"}
                {"index":{"_id":"4"}}
                {"id":"4"}
                """);
    }
}
