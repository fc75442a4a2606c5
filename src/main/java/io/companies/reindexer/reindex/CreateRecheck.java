package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.index.SearchEngine.SeqNo;
import io.companies.reindexer.source.CompanySource;

/**
 * Looks again, once they landed, at the companies a catch-up pass wrote with {@code create}, and deletes those the
 * source no longer publishes. A {@code create} waits in its batch after the pass read the company: if the owning
 * application deletes or unpublishes the company meanwhile, its delete through the alias finds nothing, the
 * {@code create} lands after it, and nothing else would ever remove the company.
 * <p>
 * Each company is looked up in the index first, then in the source, and deleted only as it was looked up, as
 * {@link CatchUp} writes: the application deletes a document right after committing the delete, so a newer write of
 * the application makes the deletion fail (409), and that write stands.
 */
final class CreateRecheck {

    private final CompanySource source;
    private final SearchEngine engine;
    private final String index;
    private final int readSize;
    private long deleted;

    /** @param readSize most companies looked up in one round trip */
    CreateRecheck(CompanySource source, SearchEngine engine, String index, int readSize) {
        this.source = source;
        this.engine = engine;
        this.index = index;
        this.readSize = readSize;
    }

    /**
     * What became of some created companies: those no longer published, whose fingerprints must go, and those of
     * them the index still holds, each where it stands, to delete.
     */
    record Verdict(Set<Integer> vanished, Map<Integer, SeqNo> deletions) {
    }

    /** Judges {@code created} from where their documents stand in the index, read first, and the source, read next. */
    static Verdict judge(List<Integer> created, Map<String, SeqNo> inIndex, Set<Integer> published) {
        Set<Integer> vanished = new HashSet<>();
        Map<Integer, SeqNo> deletions = new LinkedHashMap<>();
        for (int id : created) {
            if (!published.contains(id)) {
                vanished.add(id);
                SeqNo seen = inIndex.get(String.valueOf(id));
                if (seen != null) {
                    deletions.put(id, seen);
                }
            }
        }
        return new Verdict(vanished, deletions);
    }

    /**
     * Deletes the companies of {@code created} that are no longer published, and waits until the index has the
     * deletions. Their creates must have landed ({@link BulkIndexer#flush()}) before.
     *
     * @return the companies of {@code created} no longer published: the index holds none of them, as far as this pass
     *         knows
     */
    Set<Integer> recheck(List<Integer> created, BulkIndexer indexer) throws IOException, InterruptedException {
        Set<Integer> vanished = new HashSet<>();
        BulkBatch batch = indexer.newBatch();
        for (int from = 0; from < created.size(); from += readSize) {
            List<Integer> ids = created.subList(from, Math.min(from + readSize, created.size()));
            Map<String, SeqNo> inIndex = engine.seqNos(index, ids.stream().map(String::valueOf).toList());
            Verdict verdict = judge(ids, inIndex, source.publishedIds(ids));
            vanished.addAll(verdict.vanished());
            for (Map.Entry<Integer, SeqNo> deletion : verdict.deletions().entrySet()) {
                batch.delete(String.valueOf(deletion.getKey()), deletion.getValue());
                deleted++;
                if (batch.isFull()) {
                    indexer.submit(batch);
                    batch = indexer.newBatch();
                }
            }
        }
        if (!batch.isEmpty()) {
            indexer.submit(batch);
        }
        indexer.flush();
        return vanished;
    }

    /** Deletions sent: companies created by the pass that were gone from the source once their create landed. */
    long deleted() {
        return deleted;
    }
}
