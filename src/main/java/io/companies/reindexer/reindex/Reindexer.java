package io.companies.reindexer.reindex;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.index.IndexDefinition;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.index.IndexRetirement;
import io.companies.reindexer.index.NewIndex;
import io.companies.reindexer.index.NewIndex.SwapOutcomeUnknownException;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.source.CompanyDocument;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.source.Fingerprints;

import io.quarkus.logging.Log;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Runs one reindex top to bottom: create a fresh index, stream the published companies into it, catch up with what
 * changed meanwhile, settle it (final settings, count, durable), swap the alias, catch up with the changes made
 * around the swap, and delete the retired indices. A failure before the swap deletes the new index and leaves the
 * alias where it was; a failure after it leaves the run for the repair to finish ({@link UnfinishedRunException}).
 */
@ApplicationScoped
public class Reindexer {

    /**
     * When a catch-up runs and how many passes it may take. After the swap one pass suffices: it reads every row after
     * the swap, and its writes are conditional, so what the application writes from then on is never overwritten.
     */
    private enum CatchUpTime {
        BEFORE_SWAP("before the swap", 3),
        AFTER_SWAP("after the swap", 1);

        final String label;
        final int passes;

        CatchUpTime(String label, int passes) {
            this.label = label;
            this.passes = passes;
        }
    }

    @Inject
    ReindexConfig config;

    @Inject
    SearchEngine engine;

    @Inject
    CompanySource source;

    @Inject
    ObjectMapper json;

    @Inject
    RunProgress progress;

    @Inject
    MeterRegistry registry;

    private IndexNames names;
    private IndexDefinition definition;
    private ObjectWriter documentWriter;
    private IndexRetirement retirement;

    @PostConstruct
    void init() {
        names = new IndexNames(config.indexPrefix());
        definition = new IndexDefinition(json, config.index().shards(), config.index().replicas(),
                config.index().analyzer());
        documentWriter = json.writerFor(CompanyDocument.class);
        retirement = new IndexRetirement(engine, config.swap().retireGrace(), config.swap().retireTimeout());
    }

    /**
     * @param runId names the run in the logs (the run and the request ids it serves)
     * @param index the name of the index to create, which must not exist yet
     */
    public RunResult run(String runId, String index, RunControl control) {
        stage("check the alias", null, () -> checkAliasCanMove(index));
        try (NewIndex newIndex = stage("create", index, () -> create(index));
                Fingerprints indexed = new Fingerprints()) {
            stage("load", index, () -> load(runId, index, indexed, control));
            stage("catch up", index, () -> catchUp(runId, index, indexed, control, CatchUpTime.BEFORE_SWAP));
            long documents = stage("refresh and verify", index,
                    () -> newIndex.settle(definition, indexed.size(), config.index().activeShardsTimeout()));
            AliasSwap swap = swap(newIndex, documents, indexed, control);
            finishAfterSwap(runId, index, indexed, swap.deleted(), control);
            Log.infof("Run %s: alias %s now points to %s (%d documents); previous %s, deleted %s", runId,
                    config.alias(), index, documents, swap.previous(), swap.deleted());
            Log.infof("Run %s: stage times: %s", runId, progress.times());
            return new RunResult(index, swap.previous(), swap.deleted(), documents);
        }
    }

    /**
     * What is left of a run once the alias points to its index: catch up with the changes the owning application
     * wrote to the old index until the swap, then delete the retired indices. Also what the repair does for a run
     * that was interrupted there.
     *
     * @param indexed what the index held just before the swap
     * @throws UnfinishedRunException when it fails: the run stays swapping, for the next repair
     */
    public void finishAfterSwap(String runId, String index, Fingerprints indexed, List<String> retired,
            RunControl control) {
        try {
            stage("catch up after swap", index, () -> catchUp(runId, index, indexed, control, CatchUpTime.AFTER_SWAP));
            control.checkpoint();
            stage("retire", index, () -> retirement.retire(retired));
        } catch (ReindexException | RunStoppedException e) {
            throw new UnfinishedRunException(e.getMessage() + "; alias " + config.alias() + " points to " + index
                    + ", and the run is finished by the next repair", index, e);
        }
    }

    private void checkAliasCanMove(String index) throws IOException {
        if (engine.isConcreteIndex(config.alias())) {
            throw new IllegalStateException("An index named " + config.alias() + " exists where the alias should be"
                    + " (an application wrote to it before any alias existed, and the engine created it): the alias"
                    + " cannot be moved onto it. Delete that index (DELETE /" + config.alias() + ") and request the"
                    + " rebuild again, which indexes every company; " + index + " was not created");
        }
    }

    private NewIndex create(String index) throws IOException {
        NewIndex newIndex = NewIndex.create(engine, definition, index);
        Log.infof("Created index %s", index);
        return newIndex;
    }

    private void load(String runId, String index, Fingerprints indexed, RunControl control)
            throws IOException, InterruptedException {
        try (BulkIndexer indexer = newIndexer(index)) {
            new Load(source, indexer, control, progress).into(indexed);
            Log.infof("Run %s: sent %d documents (%d MB of NDJSON) to %s", runId, indexer.documents(),
                    indexer.bytes() / 1_000_000, index);
        }
    }

    /**
     * Sends the changes the source took since {@code indexed} was read, pass after pass until one finds none or the
     * catch-up's passes have run: each pass is short, so the next one has little to do. Bounded, because writers may
     * never pause.
     */
    private void catchUp(String runId, String index, Fingerprints indexed, RunControl control, CatchUpTime when)
            throws IOException, InterruptedException {
        for (int pass = 1; pass <= when.passes; pass++) {
            control.checkpoint();
            try (BulkIndexer indexer = newIndexer(index)) {
                CatchUp catchUp = new CatchUp(source, engine, index, indexer, config.source().pageSize(), control);
                catchUp.pass(indexed);
                Log.infof("Run %s: catch-up pass %d %s: %d documents indexed again, %d deleted, %d left to newer"
                        + " writes of the owning application", runId, pass, when.label, catchUp.written(),
                        catchUp.deleted(), indexer.superseded());
                if (catchUp.written() + catchUp.deleted() == 0) {
                    return;
                }
            }
        }
    }

    private AliasSwap swap(NewIndex index, long documents, Fingerprints indexed, RunControl control) {
        try {
            return stage("swap", index.name(), () -> index.promote(config.alias(), names, config.retention(),
                    config.bulk().maxRetries(), config.bulk().initialBackoff(),
                    plan -> control.beforeSwap(documents, plan, indexed)));
        } catch (ReindexException e) {
            if (e.getCause() instanceof SwapOutcomeUnknownException) {
                throw new UnfinishedRunException(e.getMessage() + "; the next repair reads the alias back", index.name(),
                        e);
            }
            throw e;
        }
    }

    private interface Stage<T> {
        T run() throws IOException, InterruptedException;
    }

    private interface VoidStage {
        void run() throws IOException, InterruptedException;
    }

    private void stage(String stage, String index, VoidStage work) {
        stage(stage, index, () -> {
            work.run();
            return null;
        });
    }

    /** Runs one stage: reports it, times it, and names it and the index in any failure. */
    private <T> T stage(String stage, String index, Stage<T> work) {
        long start = progress.enter(stage);
        try {
            return work.run();
        } catch (ReindexException e) {
            throw e;
        } catch (RunStoppedException e) {
            throw new ReindexException(e.getMessage() + " (at stage '" + stage + "')", index, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReindexException("Interrupted at stage '" + stage + "'" + of(index), index, e);
        } catch (IOException | RuntimeException e) {
            throw new ReindexException("Failed at stage '" + stage + "'" + of(index) + ": " + describe(e), index, e);
        } finally {
            progress.time(stage, start);
        }
    }

    /** What failed, in a sentence: a database failure by the database's own words, not by the statement it ran. */
    private static String describe(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return "the database failed (SQLState " + sql.getSQLState() + "): " + sql.getMessage();
            }
        }
        return e.getMessage();
    }

    private static String of(String index) {
        return index == null ? "" : " of index " + index;
    }

    private BulkIndexer newIndexer(String index) {
        return new BulkIndexer(engine, index, config.bulk().concurrency(), config.bulk().maxRetries(),
                config.bulk().initialBackoff(), this::newBatch, registry);
    }

    private BulkBatch newBatch() {
        return new BulkBatch(documentWriter, config.bulk().maxDocuments(), config.bulk().maxBytes().asLongValue());
    }
}
