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
}
