package io.companies.reindexer.reindex;

import java.io.IOException;

import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.source.Fingerprints;

/**
 * Reads the published companies of one range of ids, page after page, and sends their documents into the new index,
 * recording the fingerprint of the rows each document was built from. The reader builds the next bodies while the indexer sends
 * the
 * last ones; the run's progress learns where the reader's time went (read, build, wait for bulk).
 */
final class Load {

    private final CompanySource source;
    private final BulkIndexer indexer;
    private final Checkpoint control;
    private final RunProgress progress;

    Load(CompanySource source, BulkIndexer indexer, Checkpoint control, RunProgress progress) {
        this.source = source;
        this.indexer = indexer;
        this.control = control;
        this.progress = progress;
    }

    /**
     * Sends the documents of the companies with an id in ({@code afterId}, {@code lastId}] and waits until the index
     * has them all; {@code indexed} gets their fingerprints.
     */
    void into(int afterId, int lastId, Fingerprints indexed) throws IOException, InterruptedException {
        BulkBatch batch = indexer.newBatch();
        long start = System.nanoTime();
        for (CompanySource.Page page = source.pageAfter(afterId, lastId); !page.isEmpty(); page = source
                .pageAfter(afterId, lastId)) {
            start = progress.time("read", start);
            control.checkpoint();
            for (CompanySource.Item item : page.items()) {
                indexed.add(item.id(), item.fingerprint());
                batch.add(item.document().pk(), item.document());
                if (batch.isFull()) {
                    start = progress.time("build", start);
                    indexer.submit(batch);
                    start = progress.time("wait for bulk", start);
                    batch = indexer.newBatch();
                }
            }
            start = progress.time("build", start);
            afterId = page.lastId();
        }
        start = progress.time("read", start);
        if (!batch.isEmpty()) {
            indexer.submit(batch);
        }
        indexer.flush();
        progress.time("wait for bulk", start);
    }
}
