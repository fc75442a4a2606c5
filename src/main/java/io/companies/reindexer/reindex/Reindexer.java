package io.companies.reindexer.reindex;

import java.io.IOException;
import java.time.Duration;

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
import io.companies.reindexer.source.CompanySource;
import io.quarkus.logging.Log;

/**
 * Runs one reindex top to bottom: create a fresh index, stream the published companies into it, refresh and verify
 * the count, swap the alias and delete the old indices. Any failure deletes the new index and leaves the alias where
 * it was.
 */
@ApplicationScoped
public class Reindexer {

    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    CompanySource source;

    @Inject
    ObjectMapper json;

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
            long sent = indexAll(runId, newIndex, control, times);
            start = System.nanoTime();
            long documents = settle(newIndex, sent);
            start = times.add("refresh and verify", start);
            AliasSwap swap = swapAlias(newIndex, documents, control);
            times.add("swap", start);
            Log.infof("Run %s: alias %s now points to %s (%d documents); previous %s, deleted %s", runId,
                    config.alias(), index, documents, swap.previous(), swap.deleted());
            Log.infof("Run %s: stage times: %s", runId, times);
            return new RunResult(index, swap.previous(), swap.deleted(), documents);
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

    /** Reads, builds and sends every document; {@code times} gets where the reader thread spent its time. */
    private long indexAll(String runId, NewIndex index, RunControl control, StageTimes times) {
        Progress progress = new Progress(runId, index.name(), PROGRESS_INTERVAL);
        try (BulkIndexer indexer = new BulkIndexer(engine, index.name(), config.bulk().concurrency(),
                config.bulk().maxRetries(), config.bulk().initialBackoff())) {
            BulkBatch batch = newBatch();
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
                for (CompanyDocument document : page.documents()) {
                    batch.add(document.pk(), document);
                    if (batch.isFull()) {
                        start = times.add("build", start);
                        indexer.submit(batch);
                        start = times.add("wait for bulk", start);
                        batch = newBatch();
                    }
                }
                times.add("build", start);
                afterId = page.lastId();
                progress.report(indexer.documents());
            }
            long start = System.nanoTime();
            if (!batch.isEmpty()) {
                indexer.submit(batch);
            }
            indexer.flush();
            times.add("wait for bulk", start);
            Log.infof("Run %s: sent %d documents (%d MB of NDJSON) to %s", runId, indexer.documents(),
                    indexer.bytes() / 1_000_000, index.name());
            return indexer.documents();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReindexException("Interrupted while indexing companies into " + index.name(), index.name(), e);
        } catch (IOException | RuntimeException e) {
            throw new ReindexException("Failed to index companies into " + index.name() + ": " + e.getMessage(),
                    index.name(), e);
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

    private BulkBatch newBatch() {
        return new BulkBatch(documentWriter, config.bulk().maxDocuments(), config.bulk().maxBytes().asLongValue());
    }
}
