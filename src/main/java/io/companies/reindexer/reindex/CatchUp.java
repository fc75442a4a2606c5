package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.source.CompanySource.Item;
import io.companies.reindexer.source.CompanySource.Versions;
import io.companies.reindexer.source.Fingerprints;

/**
 * One pass that brings an index up to date with what the source tables hold now. It compares the fingerprint of
 * every published company with the one its document was built from, in a single merge by id: companies that
 * changed, appeared or were published since are read again and indexed; companies deleted or unpublished since are
 * deleted from the index. Deleted rows leave no trace in the source, so only comparing the id sets finds them.
 */
final class CatchUp {

    private final CompanySource source;
    private final BulkIndexer indexer;
    private final int readSize;
    private BulkBatch batch;
    private long written;
    private long deleted;

    /** @param readSize most companies read again in one round trip */
    CatchUp(CompanySource source, BulkIndexer indexer, int readSize) {
        this.source = source;
        this.indexer = indexer;
        this.readSize = readSize;
        this.batch = indexer.newBatch();
    }

    /**
     * Runs the pass and waits until the index has every change it sent.
     *
     * @param indexed what the index holds, with the fingerprints its documents were built from; read once
     * @return what the index holds after the pass, for the caller to close
     */
    Fingerprints pass(Fingerprints indexed) throws IOException, InterruptedException {
        Fingerprints current = new Fingerprints();
        try {
            merge(indexed.cursor(), current);
            return current;
        } catch (IOException | InterruptedException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    private void merge(Fingerprints.Cursor known, Fingerprints current) throws IOException, InterruptedException {
        int afterId = CompanySource.BEFORE_FIRST;
        for (Versions page = source.versionsAfter(afterId); !page.isEmpty(); page = source.versionsAfter(afterId)) {
            List<Integer> changed = new ArrayList<>();
            for (int i = 0; i < page.ids().length; i++) {
                int id = page.ids()[i];
                while (!known.exhausted() && known.id() < id) {
                    delete(known.id());
                    known.advance();
                }
                boolean isKnown = !known.exhausted() && known.id() == id;
                if (!isKnown || known.print() != page.fingerprints()[i]) {
                    changed.add(id);
                }
                if (isKnown) {
                    known.advance();
                }
            }
            Map<Integer, Long> rewritten = rewrite(changed);
            Set<Integer> changedIds = new HashSet<>(changed);
            for (int i = 0; i < page.ids().length; i++) {
                int id = page.ids()[i];
                if (!changedIds.contains(id)) {
                    current.add(id, page.fingerprints()[i]);
                } else if (rewritten.containsKey(id)) {
                    current.add(id, rewritten.get(id));
                }
            }
            afterId = page.lastId();
        }
        while (!known.exhausted()) {
            delete(known.id());
            known.advance();
        }
        if (!batch.isEmpty()) {
            indexer.submit(batch);
        }
        indexer.flush();
    }

    /** Documents indexed again by the pass. */
    long written() {
        return written;
    }

    /** Deletions sent by the pass. */
    long deleted() {
        return deleted;
    }

    /** Reads the changed companies again and indexes those still published; returns their new fingerprints. */
    private Map<Integer, Long> rewrite(List<Integer> changed) throws IOException, InterruptedException {
        Map<Integer, Long> rewritten = new HashMap<>();
        for (int from = 0; from < changed.size(); from += readSize) {
            List<Integer> ids = changed.subList(from, Math.min(from + readSize, changed.size()));
            Map<Integer, Item> fresh = source.published(ids).stream()
                    .collect(Collectors.toMap(Item::id, Function.identity()));
            for (int id : ids) {
                Item item = fresh.get(id);
                if (item == null) {
                    // Unpublished or deleted since its version was read: not in the index (any more).
                    delete(id);
                } else {
                    index(item);
                    rewritten.put(id, item.fingerprint());
                }
            }
        }
        return rewritten;
    }

    private void index(Item item) throws IOException, InterruptedException {
        batch.add(item.document().pk(), item.document());
        written++;
        sendIfFull();
    }

    private void delete(int id) throws IOException, InterruptedException {
        batch.delete(Integer.toString(id));
        deleted++;
        sendIfFull();
    }

    private void sendIfFull() throws IOException, InterruptedException {
        if (batch.isFull()) {
            indexer.submit(batch);
            batch = indexer.newBatch();
        }
    }
}
