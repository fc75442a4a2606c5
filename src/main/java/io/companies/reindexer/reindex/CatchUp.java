package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.index.SearchEngine.SeqNo;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.source.CompanySource.Item;
import io.companies.reindexer.source.CompanySource.Versions;
import io.companies.reindexer.source.Fingerprints;

/**
 * One pass that brings one range of ids of an index up to date with what the source tables hold now: it reads the
 * fingerprints of every published company of the range, finds the suspects with a {@link FingerprintDiff}, and reads and writes
 * those again.
 * <p>
 * Each suspect is written conditionally: the pass reads where its document stands in the index first, then its rows,
 * and writes only if the document has not changed in between. The owning application writes each save through the
 * alias right after committing it, so a document it wrote since is at least as new as the rows this pass read: an
 * older read never overwrites a newer write. A document the index lacks is written with {@code create}, which the
 * engine refuses if anyone wrote it since; that cannot see a delete the application made before the {@code create}
 * landed, so the pass looks at the companies it created again once they landed ({@link CreateRecheck}): a delete is
 * never undone.
 */
final class CatchUp {

    private final CompanySource source;
    private final SearchEngine engine;
    private final String index;
    private final BulkIndexer indexer;
    private final int readSize;
    private final Checkpoint control;
    private final CreateRecheck recheck;
    private final List<Integer> created = new ArrayList<>();
    private BulkBatch batch;
    private long written;
    private long deleted;

    /** @param readSize most companies read again in one round trip */
    CatchUp(CompanySource source, SearchEngine engine, String index, BulkIndexer indexer, int readSize,
            Checkpoint control) {
        this.source = source;
        this.engine = engine;
        this.index = index;
        this.indexer = indexer;
        this.readSize = readSize;
        this.control = control;
        this.recheck = new CreateRecheck(source, engine, index, readSize);
        this.batch = indexer.newBatch();
    }

    /**
     * Runs the pass over the companies with an id in ({@code afterId}, {@code lastId}] and waits until the index has
     * every change it sent.
     *
     * @param indexed what the index holds for the range, with the fingerprints its documents were built from; brought up to
     *        date
     */
    void pass(int afterId, int lastId, Fingerprints indexed) throws IOException, InterruptedException {
        Fingerprints current = new Fingerprints();
        try {
            merge(afterId, lastId, indexed.cursor(), current);
            Set<Integer> vanished = recheck.recheck(created, indexer);
            if (!vanished.isEmpty()) {
                // The merge recorded them as written; the index holds none of them now.
                Fingerprints kept = current.without(vanished);
                current.close();
                current = kept;
            }
            indexed.replaceWith(current);
        } catch (IOException | InterruptedException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    private void merge(int afterId, int lastId, Fingerprints.Cursor known, Fingerprints current)
            throws IOException, InterruptedException {
        FingerprintDiff diff = new FingerprintDiff(known);
        for (Versions page = source.versionsAfter(afterId, lastId); !page.isEmpty(); page = source
                .versionsAfter(afterId, lastId)) {
            control.checkpoint();
            FingerprintDiff.Page changes = diff.next(page.ids(), page.fingerprints());
            Map<Integer, Long> rewritten = reconcile(changes.suspects());
            List<Integer> changed = changes.changed();
            for (int i = 0, next = 0; i < page.ids().length; i++) {
                int id = page.ids()[i];
                if (next < changed.size() && changed.get(next) == id) {
                    next++;
                    Long print = rewritten.get(id);
                    if (print != null) {
                        current.add(id, print);
                    }
                } else {
                    current.add(id, page.fingerprints()[i]);
                }
            }
            afterId = page.lastId();
        }
        reconcile(diff.rest());
        if (!batch.isEmpty()) {
            indexer.submit(batch);
        }
        indexer.flush();
    }

    /** Documents indexed again by the pass. */
    long written() {
        return written;
    }

    /** Deletions sent by the pass, those of {@link #deletedAgain()} included. */
    long deleted() {
        return deleted + recheck.deleted();
    }

    /** Deletions sent for companies the pass created and found gone from the source once their create landed. */
    long deletedAgain() {
        return recheck.deleted();
    }

    /**
     * Makes the index hold what the source holds now for these companies, conditionally on their documents as they
     * are now; returns the new fingerprints of those still published.
     */
    private Map<Integer, Long> reconcile(List<Integer> suspects) throws IOException, InterruptedException {
        Map<Integer, Long> rewritten = new HashMap<>();
        for (int from = 0; from < suspects.size(); from += readSize) {
            List<Integer> ids = suspects.subList(from, Math.min(from + readSize, suspects.size()));
            Map<String, SeqNo> inIndex = engine.seqNos(index, ids.stream().map(String::valueOf).toList());
            Map<Integer, Item> fresh = source.published(ids).stream()
                    .collect(Collectors.toMap(Item::id, Function.identity()));
            for (int id : ids) {
                Item item = fresh.get(id);
                SeqNo seen = inIndex.get(String.valueOf(id));
                if (item != null) {
                    if (seen == null) {
                        batch.create(item.document().pk(), item.document());
                        created.add(id);
                    } else {
                        batch.replace(item.document().pk(), item.document(), seen);
                    }
                    written++;
                    rewritten.put(id, item.fingerprint());
                    sendIfFull();
                } else if (seen != null) {
                    batch.delete(String.valueOf(id), seen);
                    deleted++;
                    sendIfFull();
                }
            }
        }
        return rewritten;
    }

    private void sendIfFull() throws IOException, InterruptedException {
        if (batch.isFull()) {
            indexer.submit(batch);
            batch = indexer.newBatch();
        }
    }
}
