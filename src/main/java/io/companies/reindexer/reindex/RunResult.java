package io.companies.reindexer.reindex;

import java.util.List;

/** What a successful run did: the alias now points to {@code index}, which holds {@code documents} documents. */
public record RunResult(String index, List<String> previousIndices, List<String> deletedIndices, long documents) {
}
