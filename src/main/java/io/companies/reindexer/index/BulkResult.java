package io.companies.reindexer.index;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The answer to one {@code _bulk} request, judged item by item: an HTTP 200 can still carry failed items. Items the
 * engine could not take now (429 busy, 503 a shard unavailable) may be sent again; a conditional write refused because
 * the owning application wrote the document since (409) is superseded, not failed; any other failure is final,
 * including a write block (a full disk), which retrying cannot lift.
 *
 * @param superseded conditional writes the engine refused because the document changed since it was read
 */
public record BulkResult(int succeeded, List<String> rejectedIds, List<ItemFailure> failures, int superseded) {

    static final int TOO_MANY_REQUESTS = 429;
    private static final int NOT_FOUND = 404;
    private static final int CONFLICT = 409;
    private static final int UNAVAILABLE = 503;
    private static final String BLOCKED = "cluster_block_exception";

    public BulkResult(int succeeded, List<String> rejectedIds, List<ItemFailure> failures) {
        this(succeeded, rejectedIds, failures, 0);
    }

    public record ItemFailure(String id, int status, String reason) {

        /** The index, or the alias the request went through, is gone: see {@link SliceWriter}. */
        public boolean targetGone() {
            return status == NOT_FOUND && reason.startsWith("index_not_found_exception");
        }

        @Override
        public String toString() {
            return "document " + id + " (" + status + "): " + reason;
        }
    }

    public static BulkResult parse(ObjectMapper json, InputStream body) throws IOException {
        JsonNode answer = json.readTree(body);
        int succeeded = 0;
        int superseded = 0;
        List<String> rejected = new ArrayList<>();
        List<ItemFailure> failures = new ArrayList<>();
        for (JsonNode item : answer.path("items")) {
            JsonNode result = item.elements().next();
            int status = result.path("status").asInt();
            String id = result.path("_id").asText();
            JsonNode error = result.path("error");
            boolean alreadyDeleted = item.has("delete") && status == NOT_FOUND && error.isMissingNode();
            if (status >= 200 && status < 300 || alreadyDeleted) {
                succeeded++;
            } else if (status == CONFLICT) {
                superseded++;
            } else if ((status == TOO_MANY_REQUESTS || status == UNAVAILABLE) && !BLOCKED.equals(error.path("type").asText())) {
                rejected.add(id);
            } else {
                failures.add(new ItemFailure(id, status,
                        error.path("type").asText() + ": " + error.path("reason").asText(error.toString())));
            }
        }
        return new BulkResult(succeeded, rejected, failures, superseded);
    }
}
