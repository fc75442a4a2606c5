package io.companies.reindexer.index;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.companies.reindexer.index.SearchEngine.SeqNo;

import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * One {@code _bulk} body under construction: an action and a document per item (or a delete action), written
 * straight into one byte buffer. Full once it holds {@code maxDocuments} items or {@code maxBytes} bytes.
 */
public final class BulkBatch {

    private final ObjectWriter documentWriter;
    private final int maxDocuments;
    private final long maxBytes;
    private final Buffer body;
    private final List<Item> items;
    // A part of another batch (one of its halves) reads that batch's buffer in place, from its first item's start to
    // its last item's end; it is only sent, never written.
    private final boolean part;

    private record Item(String id, int start, int end) {
    }

    public BulkBatch(ObjectWriter documentWriter, int maxDocuments, long maxBytes) {
        // Sized for a full batch plus one large document, so the buffer is never copied to grow.
        this(documentWriter, maxDocuments, maxBytes, new Buffer((int) Math.min(maxBytes + (1 << 16),
                Integer.MAX_VALUE - 8)), new ArrayList<>(), false);
    }

    private BulkBatch(ObjectWriter documentWriter, int maxDocuments, long maxBytes, Buffer body, List<Item> items,
            boolean part) {
        this.documentWriter = documentWriter;
        this.maxDocuments = maxDocuments;
        this.maxBytes = maxBytes;
        this.body = body;
        this.items = items;
        this.part = part;
    }

    /** Adds document {@code id}, whatever the index holds for it. */
    public void add(String id, Object document) {
        write("{\"index\":{\"_id\":\"" + id + "\"}}\n", id, document);
    }

    /** Adds document {@code id} in place of the one at {@code seen}: the engine refuses it (409) if that one changed. */
    public void replace(String id, Object document, SeqNo seen) {
        write("{\"index\":{\"_id\":\"" + id + "\"" + condition(seen) + "}}\n", id, document);
    }

    /** Adds document {@code id}, which the index does not hold: the engine refuses it (409) if someone wrote it since. */
    public void create(String id, Object document) {
        write("{\"create\":{\"_id\":\"" + id + "\"}}\n", id, document);
    }

    /** Adds the deletion of document {@code id} as it was at {@code seen}: refused (409) if it changed since. */
    public void delete(String id, SeqNo seen) {
        writable();
        int start = body.size();
        String action = "{\"delete\":{\"_id\":\"" + id + "\"" + condition(seen) + "}}\n";
        body.writeBytes(action.getBytes(StandardCharsets.UTF_8));
        items.add(new Item(id, start, body.size()));
    }

    private static String condition(SeqNo seen) {
        return ",\"if_seq_no\":" + seen.seqNo() + ",\"if_primary_term\":" + seen.primaryTerm();
    }

    private void writable() {
        if (part) {
            throw new IllegalStateException("A part of a batch is only sent: nothing can be added to it");
        }
    }

    private void write(String action, String id, Object document) {
        writable();
        int start = body.size();
        try {
            body.write(action.getBytes(StandardCharsets.UTF_8));
            documentWriter.writeValue(body, document);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise document " + id, e);
        }
        body.write('\n');
        items.add(new Item(id, start, body.size()));
    }

    /** Empties the batch, keeping its buffer. */
    void clear() {
        writable();
        body.reset();
        items.clear();
    }

    public boolean isFull() {
        return items.size() >= maxDocuments || bytes() >= maxBytes;
    }

    /** Whether the body is over the byte bound with more than one item in it, so it must go in parts. */
    boolean isOversized() {
        return items.size() > 1 && bytes() > maxBytes;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public int size() {
        return items.size();
    }

    /** The length of the body, which starts at {@link #offset()} in {@link #buffer()}. */
    public int bytes() {
        if (!part) {
            return body.size();
        }
        return items.isEmpty() ? 0 : items.getLast().end - items.getFirst().start;
    }

    /** Where the body starts in {@link #buffer()}: 0, except for a part of another batch. */
    int offset() {
        return part && !items.isEmpty() ? items.getFirst().start : 0;
    }

    List<String> ids() {
        return items.stream().map(Item::id).toList();
    }

    byte[] buffer() {
        return body.buffer();
    }

    /**
     * A new batch holding only the items with these ids, in the same order, e.g. to send rejected items again: a copy,
     * in a buffer of just their size.
     */
    BulkBatch retain(Collection<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        return copyOf(items.stream().filter(item -> wanted.contains(item.id)).toList());
    }

    /**
     * The first and the second half of the items, a body too large for the engine in parts: each reads this batch's
     * buffer in place, so they must be sent before this batch is cleared. No copy: every full batch ends over the byte
     * bound and is sent in halves, and two new buffers of that size per request were most of the service's garbage.
     */
    List<BulkBatch> halves() {
        int middle = items.size() / 2;
        return List.of(partOf(items.subList(0, middle)), partOf(items.subList(middle, items.size())));
    }

    private BulkBatch partOf(List<Item> kept) {
        return new BulkBatch(documentWriter, maxDocuments, maxBytes, body, List.copyOf(kept), true);
    }

    private BulkBatch copyOf(List<Item> kept) {
        int size = kept.stream().mapToInt(item -> item.end - item.start).sum();
        BulkBatch copy = new BulkBatch(documentWriter, maxDocuments, maxBytes, new Buffer(size), new ArrayList<>(),
                false);
        for (Item item : kept) {
            int start = copy.body.size();
            copy.body.write(body.buffer(), item.start, item.end - item.start);
            copy.items.add(new Item(item.id, start, copy.body.size()));
        }
        return copy;
    }

    /** Exposes the internal array so the body is sent without a copy. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int capacity) {
            super(capacity);
        }

        byte[] buffer() {
            return buf;
        }

        @Override
        public void close() {
            // The document writer closes its target after each document; the buffer must stay open.
        }
    }
}
