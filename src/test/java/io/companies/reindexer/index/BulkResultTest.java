package io.companies.reindexer.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class BulkResultTest {

    @Test
    void judgesEveryItem() throws IOException {
        String answer = """
                {"took":3,"errors":true,"items":[
                  {"index":{"_index":"c","_id":"1","status":201}},
                  {"index":{"_index":"c","_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"busy"}}},
                  {"index":{"_index":"c","_id":"3","status":400,"error":{"type":"document_parsing_exception","reason":"failed to parse field [modified]"}}},
                  {"index":{"_index":"c","_id":"4","status":200}},
                  {"delete":{"_index":"c","_id":"5","status":404,"result":"not_found"}},
                  {"index":{"_index":"c","_id":"6","status":404,"error":{"type":"index_not_found_exception","reason":"no such index [c]"}}}]}""";
        BulkResult result = BulkResult.parse(new ObjectMapper(),
                new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
        // Deleting a document that is already gone is done; indexing into a missing index is not.
        assertThat(result.succeeded()).isEqualTo(3);
        assertThat(result.rejectedIds()).containsExactly("2");
        assertThat(result.failures()).containsExactly(new BulkResult.ItemFailure("3", 400,
                "document_parsing_exception: failed to parse field [modified]"),
                new BulkResult.ItemFailure("6", 404, "index_not_found_exception: no such index [c]"));
    }

    @Test
    void anUnavailableShardIsSentAgainAWriteBlockIsFinalAndAConflictIsSuperseded() throws IOException {
        String answer = """
                {"items":[
                  {"index":{"_id":"1","status":503,"error":{"type":"unavailable_shards_exception","reason":"primary shard is not active"}}},
                  {"index":{"_id":"2","status":429,"error":{"type":"cluster_block_exception","reason":"index [c] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];"}}},
                  {"index":{"_id":"3","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[3]: version conflict"}}},
                  {"delete":{"_id":"4","status":409,"error":{"type":"version_conflict_engine_exception","reason":"[4]: version conflict, but no document was found"}}},
                  {"create":{"_id":"5","status":201}}]}""";
        BulkResult result = BulkResult.parse(new ObjectMapper(),
                new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
        assertThat(result.rejectedIds()).containsExactly("1");
        assertThat(result.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.id()).isEqualTo("2");
            assertThat(failure.reason()).startsWith("cluster_block_exception: index [c] blocked by");
        });
        assertThat(result.superseded()).isEqualTo(2);
        assertThat(result.succeeded()).isEqualTo(1);
    }
}
