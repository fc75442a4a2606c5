package io.companies.reindexer.reindex;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SequencedMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.BulkBatch;
import io.companies.reindexer.index.BulkIndexer;
import io.companies.reindexer.index.SearchEngine;
import io.companies.reindexer.index.SearchEngine.SeqNo;
import io.companies.reindexer.index.SliceWriter;
import io.companies.reindexer.source.CompanyDocument;
import io.companies.reindexer.source.CompanySource;
import io.companies.reindexer.source.Fingerprints;
import io.companies.reindexer.state.SliceLedger.Claim;

import io.quarkus.logging.Log;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;

/**
 * Does one pass of one slice of a run, on whichever instance claimed it: pass 0 loads the slice's companies into the
 * run's index, every later pass catches the slice up with what changed since its last pass.
 */
@ApplicationScoped
public class SlicePass {

    // Documents of a slice looked up at once when a pass is taken over.
    private static final int CLEAR_PAGE = 1_000;

    @Inject
    Tracer tracer;

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

    private ObjectWriter documentWriter;
    // The bulk bodies' buffers of the passes that ended, for the next: one set per slice worker, not one per pass
    // (each a humongous object to G1, which frees it only in a concurrent cycle, so they made the heap grow).
    private final Queue<BulkBatch> spareBatches = new ConcurrentLinkedQueue<>();

    /**
     * What the index holds for a slice after a pass, and what the pass did.
     *
     * @param fingerprints null when the pass left them as they were: the slice's row keeps its copy
     */
    public record Done(long documents, long changes, long bytes, byte[] fingerprints) {
    }

    @PostConstruct
    void init() {
        documentWriter = json.writerFor(CompanyDocument.class);
    }

    /** @param control is checked between pages: it throws to stop the pass, which leaves the slice to be done again */
    public Done run(Claim claim, Checkpoint control) throws IOException, InterruptedException {
        int afterId = claim.bounds().afterId();
        int lastId = claim.bounds().lastId();
        SliceWriter writer = openWriter(claim, control);
        try (BulkIndexer indexer = newIndexer(writer); Fingerprints indexed = new Fingerprints()) {
            long changes;
            if (claim.pass() == 0) {
                if (claim.attempt() > 1) {
                    clear(claim, indexer);
                }
                new Load(source, indexer, control, progress).into(afterId, lastId, indexed);
                changes = 0;
            } else {
                indexed.addAll(claim.fingerprints());
                if (claim.attempt() > 1) {
                    sweep(claim, indexer, indexed);
                }
                CatchUp catchUp = new CatchUp(source, engine, claim.index(), indexer, config.source().pageSize(),
                        control);
                catchUp.pass(afterId, lastId, indexed);
                changes = catchUp.written() + catchUp.deleted();
                if (catchUp.deletedAgain() > 0) {
                    Log.infof("Run %d, slice %d, pass %d: %d companies deleted again: created, then found gone from"
                            + " the source once it landed", claim.runId(), claim.slice(), claim.pass(),
                            catchUp.deletedAgain());
                }
            }
            if (indexer.superseded() > 0) {
                Log.infof("Run %d, slice %d, pass %d: %d writes left to newer writes of the owning application",
                        claim.runId(), claim.slice(), claim.pass(), indexer.superseded());
            }
            byte[] fingerprints = indexed.toBytes();
            // Most catch-up passes change few slices: rewriting the others' fingerprints would only load the owning
            // application's database with TOAST and WAL.
            boolean unchanged = claim.pass() > 0 && Arrays.equals(fingerprints, claim.fingerprints());
            return new Done(indexed.size(), changes, indexer.bytes(), unchanged ? null : fingerprints);
        }
    }

    /**
     * Opens this claim's writer, which closes those of the slice's earlier claims, then confirms that the claim is
     * still this instance's. Whoever takes the slice over later does so after that confirmation, so after this
     * writer was opened, and closes it: nothing this pass sends can land after a later claim began, however long this
     * process is frozen. A writer opened too late, after a later claim's, is closed again unused.
     */
    private SliceWriter openWriter(Claim claim, Checkpoint control) throws IOException {
        SliceWriter writer = new SliceWriter(claim.index(), claim.slice(), claim.pass(), claim.attempt());
        engine.openWriter(writer);
        try {
            control.confirm();
        } catch (RuntimeException e) {
            engine.closeWriter(writer);
            throw e;
        }
        return writer;
    }

    /**
     * Deletes what an earlier, unfinished load of the slice sent: it may hold companies that are no longer published,
     * which nothing would ever remove. Its writer is closed (see {@link #openWriter}): a refresh shows all it could
     * ever send.
     */
    private void clear(Claim claim, BulkIndexer indexer) throws IOException, InterruptedException {
        long cleared = forEachIndexedPage(claim, page -> {
            BulkBatch batch = indexer.newBatch();
            for (Map.Entry<String, SeqNo> document : page.entrySet()) {
                batch.delete(document.getKey(), document.getValue());
                if (batch.isFull()) {
                    indexer.submit(batch);
                    batch = indexer.newBatch();
                }
            }
            if (!batch.isEmpty()) {
                indexer.submit(batch);
            }
        });
        indexer.flush();
        Log.infof("Run %d, slice %d: load taken over (attempt %d); deleted the %d documents the earlier attempt sent",
                claim.runId(), claim.slice(), claim.attempt(), cleared);
    }

    /**
     * Deletes what an earlier, unfinished claim of this catch-up pass created for companies that the source no longer
     * publishes: documents of the slice's range that its fingerprints do not know. This pass would not see them: a
     * company gone from the source and unknown to the fingerprints is no suspect. The earlier claim's writer is closed,
     * so a refresh shows all it could ever send; a document the owning application wrote since for a company it
     * publishes stays, and a deletion lost to a newer write of the application fails (409), as in {@link CatchUp}.
     */
    private void sweep(Claim claim, BulkIndexer indexer, Fingerprints known) throws IOException, InterruptedException {
        List<Integer> unknown = new ArrayList<>();
        Fingerprints.Cursor cursor = known.cursor();
        forEachIndexedPage(claim, page -> {
            for (String document : page.keySet()) {
                int id = Integer.parseInt(document);
                while (!cursor.exhausted() && cursor.id() < id) {
                    cursor.advance();
                }
                if (cursor.exhausted() || cursor.id() != id) {
                    unknown.add(id);
                }
            }
        });
        CreateRecheck recheck = new CreateRecheck(source, engine, claim.index(), config.source().pageSize());
        recheck.recheck(unknown, indexer);
        Log.infof("Run %d, slice %d, pass %d: taken over (attempt %d); %d documents unknown to the slice, %d of them"
                + " deleted: their companies are gone from the source", claim.runId(), claim.slice(), claim.pass(),
                claim.attempt(), unknown.size(), recheck.deleted());
    }

    /**
     * Refreshes the run's index, then hands the documents it holds in the slice's range to {@code action}, a page of
     * ids and sequence numbers at a time, in id order.
     *
     * @return how many documents the pages held
     */
    private long forEachIndexedPage(Claim claim, IndexedPage action) throws IOException, InterruptedException {
        engine.refresh(claim.index());
        long documents = 0;
        int afterId = claim.bounds().afterId();
        for (SequencedMap<String, SeqNo> page; !(page = engine.seqNosBetween(claim.index(), afterId,
                claim.bounds().lastId(), CLEAR_PAGE)).isEmpty(); afterId = Integer.parseInt(page.lastEntry().getKey())) {
            action.accept(page);
            documents += page.size();
        }
        return documents;
    }

    @FunctionalInterface
    private interface IndexedPage {
        void accept(SequencedMap<String, SeqNo> page) throws IOException, InterruptedException;
    }

    /** Frees the buffers kept for the next pass: this instance has no slice to work on. */
    public void idle() {
        spareBatches.clear();
    }

    private BulkIndexer newIndexer(SliceWriter writer) {
        return new BulkIndexer(engine, writer.alias(), config.bulk().concurrency(), config.bulk().retryTimeout(),
                config.bulk().initialBackoff(), this::newBatch, spareBatches::add, registry, tracer);
    }

    private BulkBatch newBatch() {
        BulkBatch spare = spareBatches.poll();
        return spare != null ? spare
                : new BulkBatch(documentWriter, config.bulk().maxDocuments(), config.bulk().maxBytes().asLongValue());
    }
}
