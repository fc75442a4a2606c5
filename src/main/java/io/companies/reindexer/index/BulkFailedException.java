package io.companies.reindexer.index;

import java.util.List;
import java.util.stream.Collectors;

/** Some documents could not be indexed. The message names the first few and why. */
public class BulkFailedException extends RuntimeException {

    private static final int LISTED = 5;

    public BulkFailedException(String index, String reason) {
        super("Bulk indexing into " + index + " failed: " + reason);
    }

    public BulkFailedException(String index, List<BulkResult.ItemFailure> failures) {
        this(index, failures.size() + " documents rejected: " + failures.stream().limit(LISTED)
                .map(BulkResult.ItemFailure::toString).collect(Collectors.joining("; "))
                + (failures.size() > LISTED ? "; ..." : ""));
    }
}
