package io.companies.reindexer.reindex;

import java.io.IOException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.index.IndexDefinition;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.index.NewIndex;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.source.CompanyDocument;
import io.companies.reindexer.source.Fingerprints;
import io.companies.reindexer.source.CompanySource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Runs one reindex top to bottom: create a fresh index, stream the published companies into it, catch up with what
 * changed meanwhile, refresh and verify the count, swap the alias and delete the old indices, catch up once more. Any failure deletes the new index and leaves the alias where
 * it was.
 */
@ApplicationScoped
public class Reindexer {

    private static final int CATCH_UP_PASSES = 3;

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    CompanySource source;

    @Inject
    ObjectMapper json;

    @Inject
    RunTracker tracker;

    @Inject
    MeterRegistry registry;

    private IndexNames names;
    private IndexDefinition definition;
    private ObjectWriter documentWriter;

    @PostConstruct
    void init() {
        names = new IndexNames(config.indexPrefix());
        definition = new IndexDefinition(json, config.index().shards(), config.index().replicas(),
                config.index().analyzer());
        documentWriter = json.writerFor(CompanyDocument.class);
    }

    /** What the caller learns of and decides about a run while it goes. */
    public interface RunControl {
        /** Asked between pages: {@code true} ends the run as failed, its index deleted. */
        boolean stopRequested();

        /** Called with the plan of the alias swap just before it happens; throwing leaves the alias where it is. */
        void beforeSwap(long documents, AliasSwap swap);
    }

    /**
     * @param runId names the run in the logs (the run and the request ids it serves)
     * @param index the name of the index to create, which must not exist yet
     */
    public RunResult run(String runId, String index, RunControl control) {
        StageTimes times = new StageTimes();
        long start = System.nanoTime();
        try (NewIndex newIndex = create(index)) {
            start = times.add("create", start);
            tracker.stage("load");
            Fingerprints loaded = indexAll(runId, newIndex, control, times);
            start = System.nanoTime();
            try (Fingerprints indexed = catchUp(runId, index, loaded, "before the swap")) {
                start = times.add("catch up", start);
                tracker.stage("refresh and verify");
                long documents = settle(newIndex, indexed.size());
                start = times.add("refresh and verify", start);
                tracker.stage("swap");
                AliasSwap swap = swapAlias(newIndex, documents, control);
                start = times.add("swap", start);
                catchUpAfterSwap(runId, index, indexed);
                times.add("catch up after swap", start);
                Log.infof("Run %s: alias %s now points to %s (%d documents); previous %s, deleted %s", runId,
                        config.alias(), index, documents, swap.previous(), swap.deleted());
                Log.infof("Run %s: stage times: %s", runId, times);
                return new RunResult(index, swap.previous(), swap.deleted(), documents);
            }
        }
    }

    private NewIndex create(String index) {
        try {
            NewIndex newIndex = NewIndex.create(engine, definition, index);
            Log.infof("Created index %s", index);
            return newIndex;
        } catch (IOException | RuntimeException e) {
            throw new ReindexException("Failed to create index " + index + ": " + e.getMessage(), null, e);
        }
    }

    /**
     * Reads, builds and sends every document; {@code times} gets where the reader thread spent its time.
     *
     * @return the companies indexed, with the fingerprints of the rows their documents were built from
     */
    private Fingerprints indexAll(String runId, NewIndex index, RunControl control, StageTimes times) {
        tracker.expect(source.countPublished());
        Fingerprints indexed = null;
        try (BulkIndexer indexer = newIndexer(index.name())) {
            indexed = new Fingerprints();
            BulkBatch batch = indexer.newBatch();
            int afterId = CompanySource.BEFORE_FIRST;
            while (true) {
                long start = System.nanoTime();
                CompanySource.Page page = source.pageAfter(afterId);
                start = times.add("read", start);
                if (page.isEmpty()) {
                    break;
                }
                if (control.stopRequested()) {
                    throw new ReindexException("Stopped: the service is shutting down; index " + index.name()
                            + " deleted, alias " + config.alias() + " left where it was", index.name(), null);
                }
                for (CompanySource.Item item : page.items()) {
                    indexed.add(item.id(), item.fingerprint());
                    batch.add(item.document().pk(), item.document());
                    if (batch.isFull()) {
                        start = times.add("build", start);
                        indexer.submit(batch);
                        start = times.add("wait for bulk", start);
                        batch = indexer.newBatch();
                    }
                }
                times.add("build", start);
                afterId = page.lastId();
                tracker.indexed(indexer.documents());
            }
            long start = System.nanoTime();
            if (!batch.isEmpty()) {
                indexer.submit(batch);
            }
            indexer.flush();
            times.add("wait for bulk", start);
            Log.infof("Run %s: sent %d documents (%d MB of NDJSON) to %s", runId, indexer.documents(),
                    indexer.bytes() / 1_000_000, index.name());
            return indexed;
        } catch (ReindexException e) {
            close(indexed);
            throw e;
        } catch (InterruptedException e) {
            close(indexed);
            Thread.currentThread().interrupt();
            throw new ReindexException("Interrupted while indexing companies into " + index.name(), index.name(), e);
        } catch (IOException | RuntimeException e) {
            close(indexed);
            throw new ReindexException("Failed to index companies into " + index.name() + ": " + e.getMessage(),
                    index.name(), e);
        }
    }

    /**
     * Sends the changes the source took while the index was being filled, pass after pass until one finds none: each
     * pass is short, so the next one has little to do. Bounded, because writers may never pause.
     *
     * @param indexed what the index holds; closed by this call, which returns what it holds after the passes
     */
    private Fingerprints catchUp(String runId, String index, Fingerprints indexed, String when) {
        try {
            for (int pass = 1; pass <= CATCH_UP_PASSES; pass++) {
                tracker.stage("catch up " + when);
                try (BulkIndexer indexer = newIndexer(index)) {
                    CatchUp catchUp = new CatchUp(source, indexer, config.source().pageSize());
                    Fingerprints current = catchUp.pass(indexed);
                    indexed.close();
                    indexed = current;
                    Log.infof("Run %s: catch-up pass %d %s: %d documents indexed again, %d deleted", runId, pass,
                            when, catchUp.written(), catchUp.deleted());
                    if (catchUp.written() + catchUp.deleted() == 0) {
                        break;
                    }
                }
            }
            return indexed;
        } catch (InterruptedException e) {
            indexed.close();
            Thread.currentThread().interrupt();
            throw new ReindexException("Interrupted while catching up with changes in " + index, index, e);
        } catch (IOException | RuntimeException e) {
            indexed.close();
            throw new ReindexException("Failed to catch up with the changes made during the run in " + index + ": "
                    + e.getMessage(), index, e);
        }
    }

    /**
     * Catches up with the changes made between the last pass and the swap: until the swap, the owning application's
     * live updates went to the old index. The new index is already live, so a failure here cannot undo the run.
     *
     * @param indexed what the index holds; closed by this call
     */
    private void catchUpAfterSwap(String runId, String index, Fingerprints indexed) {
        try {
            catchUp(runId, index, indexed, "after the swap").close();
        } catch (ReindexException e) {
            Log.errorf(e, "Run %s: %s; changes made during the swap may be missing from %s until the next run", runId,
                    e.getMessage(), index);
        }
    }

    private static void close(Fingerprints fingerprints) {
        if (fingerprints != null) {
            fingerprints.close();
        }
    }

    private long settle(NewIndex index, long sent) {
        try {
            return index.settle(definition, sent);
        } catch (IOException | RuntimeException e) {
            throw new ReindexException("Failed to refresh and verify index " + index.name() + ": " + e.getMessage(),
                    index.name(), e);
        }
    }

    private AliasSwap swapAlias(NewIndex index, long documents, RunControl control) {
        try {
            return index.promote(config.alias(), names, config.retention(), swap -> control.beforeSwap(documents, swap));
        } catch (IOException | RuntimeException e) {
            throw new ReindexException("Failed to swap alias " + config.alias() + " to " + index.name() + ": "
                    + e.getMessage(), index.name(), e);
        }
    }

    private BulkIndexer newIndexer(String index) {
        return new BulkIndexer(engine, index, config.bulk().concurrency(), config.bulk().maxRetries(),
                config.bulk().initialBackoff(), this::newBatch, registry);
    }

    private BulkBatch newBatch() {
        return new BulkBatch(documentWriter, config.bulk().maxDocuments(), config.bulk().maxBytes().asLongValue());
    }
}
