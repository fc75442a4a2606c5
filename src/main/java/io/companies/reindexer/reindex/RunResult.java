package io.companies.reindexer.reindex;

import java.util.List;

/**
 * What a successful run did: the alias now points to {@code index}, which holds {@code documents} documents.
 * {@code keptIndices} are indices it retired but left in place, because they carry another alias.
 */
public record RunResult(String index, List<String> previousIndices, List<String> deletedIndices,
        List<String> keptIndices, long documents) {
}
