package io.companies.reindexer.index;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The answer to one {@code _bulk} request, judged item by item: an HTTP 200 can still carry failed items. Items the
 * engine rejected because it was busy (429) may be sent again; any other failure is final.
 */
public record BulkResult(int succeeded, List<String> rejectedIds, List<ItemFailure> failures) {

    static final int TOO_MANY_REQUESTS = 429;
    private static final int NOT_FOUND = 404;

    public record ItemFailure(String id, int status, String reason) {
        @Override
        public String toString() {
            return "document " + id + " (" + status + "): " + reason;
        }
    }

    public static BulkResult parse(ObjectMapper json, InputStream body) throws IOException {
        JsonNode answer = json.readTree(body);
        int succeeded = 0;
        List<String> rejected = new ArrayList<>();
        List<ItemFailure> failures = new ArrayList<>();
        for (JsonNode item : answer.path("items")) {
            JsonNode result = item.elements().next();
            int status = result.path("status").asInt();
            String id = result.path("_id").asText();
            boolean alreadyDeleted = item.has("delete") && status == NOT_FOUND;
            if (status >= 200 && status < 300 || alreadyDeleted) {
                succeeded++;
            } else if (status == TOO_MANY_REQUESTS) {
                rejected.add(id);
            } else {
                JsonNode error = result.path("error");
                failures.add(new ItemFailure(id, status,
                        error.path("type").asText() + ": " + error.path("reason").asText(error.toString())));
            }
        }
        return new BulkResult(succeeded, rejected, failures);
    }
}
