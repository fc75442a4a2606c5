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

import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * One {@code _bulk} body under construction: an index action and a document per item (or a delete action), written
 * straight into one byte buffer. Full once it holds {@code maxDocuments} items or {@code maxBytes} bytes.
 */
public final class BulkBatch {

    private final ObjectWriter documentWriter;
    private final int maxDocuments;
    private final long maxBytes;
    private final Buffer body;
    private final List<Item> items = new ArrayList<>();

    private record Item(String id, int start, int end) {
    }

    public BulkBatch(ObjectWriter documentWriter, int maxDocuments, long maxBytes) {
        this.documentWriter = documentWriter;
        this.maxDocuments = maxDocuments;
        this.maxBytes = maxBytes;
        // Sized for a full batch plus one large document, so the buffer is never copied to grow.
        this.body = new Buffer((int) Math.min(maxBytes + (1 << 16), Integer.MAX_VALUE - 8));
    }

    public void add(String id, Object document) {
        int start = body.size();
        try {
            body.write(("{\"index\":{\"_id\":\"" + id + "\"}}\n").getBytes(StandardCharsets.UTF_8));
            documentWriter.writeValue(body, document);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise document " + id, e);
        }
        body.write('\n');
        items.add(new Item(id, start, body.size()));
    }

    /** Adds the deletion of document {@code id}; deleting a document that is not there counts as done. */
    public void delete(String id) {
        int start = body.size();
        body.writeBytes(("{\"delete\":{\"_id\":\"" + id + "\"}}\n").getBytes(StandardCharsets.UTF_8));
        items.add(new Item(id, start, body.size()));
    }

    /** Empties the batch, keeping its buffer. */
    void clear() {
        body.reset();
        items.clear();
    }

    public boolean isFull() {
        return items.size() >= maxDocuments || body.size() >= maxBytes;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public int size() {
        return items.size();
    }

    public int bytes() {
        return body.size();
    }

    List<String> ids() {
        return items.stream().map(Item::id).toList();
    }

    byte[] buffer() {
        return body.buffer();
    }

    /** A new batch holding only the items with these ids, in the same order, e.g. to send rejected items again. */
    BulkBatch retain(Collection<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        BulkBatch subset = new BulkBatch(documentWriter, maxDocuments, maxBytes);
        for (Item item : items) {
            if (wanted.contains(item.id)) {
                int start = subset.body.size();
                subset.body.write(body.buffer(), item.start, item.end - item.start);
                subset.items.add(new Item(item.id, start, subset.body.size()));
            }
        }
        return subset;
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
