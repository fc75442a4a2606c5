package io.companies.reindexer.reindex;

import java.io.IOException;

import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.source.Fingerprints;

/**
 * Reads every published company, page after page, and sends its document into the new index, recording the
 * fingerprint of the rows each document was built from. The reader builds the next bodies while the indexer sends the
 * last ones; the run's progress learns where the reader's time went (read, build, wait for bulk).
 */
final class Load {

    private final CompanySource source;
    private final BulkIndexer indexer;
    private final RunControl control;
    private final RunProgress progress;

    Load(CompanySource source, BulkIndexer indexer, RunControl control, RunProgress progress) {
        this.source = source;
        this.indexer = indexer;
        this.control = control;
        this.progress = progress;
    }

    /** Sends every document and waits until the index has them all; {@code indexed} gets their fingerprints. */
    void into(Fingerprints indexed) throws IOException, InterruptedException {
        progress.expect(source.countPublished());
        BulkBatch batch = indexer.newBatch();
        int afterId = CompanySource.BEFORE_FIRST;
        long start = System.nanoTime();
        for (CompanySource.Page page = source.pageAfter(afterId); !page.isEmpty(); page = source.pageAfter(afterId)) {
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
            progress.indexed(indexer.documents());
        }
        start = progress.time("read", start);
        if (!batch.isEmpty()) {
            indexer.submit(batch);
        }
        indexer.flush();
        progress.time("wait for bulk", start);
    }
}
