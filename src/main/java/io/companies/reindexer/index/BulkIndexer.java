package io.companies.reindexer.index;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.elasticsearch.client.ResponseException;

import io.quarkus.logging.Log;

/**
 * Sends bulk batches into one index and makes sure every item landed: items the engine rejected as too busy (429)
 * are sent again with exponential backoff, any other item failure fails the whole load.
 */
public final class BulkIndexer {

    private final SearchEngine engine;
    private final String index;
    private final int maxRetries;
    private final Duration initialBackoff;
    private long documents;
    private long bytes;

    public BulkIndexer(SearchEngine engine, String index, int maxRetries, Duration initialBackoff) {
        this.engine = engine;
        this.index = index;
        this.maxRetries = maxRetries;
        this.initialBackoff = initialBackoff;
    }

    /** Sends {@code batch} and returns once all its documents are indexed; throws otherwise. */
    public void send(BulkBatch batch) throws IOException, InterruptedException {
        bytes += batch.bytes();
        BulkBatch pending = batch;
        Duration backoff = initialBackoff;
        for (int attempt = 0;; attempt++) {
            BulkResult result = sendOnce(pending);
            if (!result.failures().isEmpty()) {
                throw new BulkFailedException(index, result.failures());
            }
            documents += result.succeeded();
            if (result.rejectedIds().isEmpty()) {
                return;
            }
            if (attempt == maxRetries) {
                throw new BulkFailedException(index, result.rejectedIds().size() + " documents still rejected as too busy after "
                        + maxRetries + " retries");
            }
            Log.debugf("Index %s rejected %d documents as too busy, sending them again in %s", index,
                    result.rejectedIds().size(), backoff);
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2);
            pending = pending.retain(result.rejectedIds());
        }
    }

    private BulkResult sendOnce(BulkBatch batch) throws IOException {
        try {
            return engine.bulk(index, batch.buffer(), batch.bytes());
        } catch (ResponseException e) {
            // A whole request rejected as too busy is the same as all its items rejected.
            if (e.getResponse().getStatusLine().getStatusCode() == BulkResult.TOO_MANY_REQUESTS) {
                return new BulkResult(0, batch.ids(), List.of());
            }
            throw e;
        }
    }

    /** Documents indexed so far. */
    public long documents() {
        return documents;
    }

    /** Bytes of NDJSON sent so far, retries not counted. */
    public long bytes() {
        return bytes;
    }
}
