package io.companies.reindexer.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.companies.reindexer.plumbing.Backoff;
import io.companies.reindexer.plumbing.RunMdc;

import io.quarkus.logging.Log;

import org.elasticsearch.client.ResponseException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Sends bulk batches into one index through a writer alias ({@link SliceWriter}), several at a time, and makes sure every item
 * landed: items the engine could not
 * take now (429, 503) and requests that met a transient failure are sent again with a growing, jittered backoff, for as
 * long as some of a batch gets through, and until nothing of it has for {@code retryTimeout}; a body over the byte
 * bound, or one the engine refuses as too large (413), is sent in halves; any other item failure fails the whole load.
 * While the engine pushes back, one request fewer is in flight per batch it pushed back, down to one, and one more per
 * batch it took at once, so that a fleet of instances slows down under pressure rather than failing. Sending overlaps
 * with building the next batch, and more than one request in flight keeps every engine core busy.
 * <p>
 * The batches are recycled: a sent batch is emptied and handed out again by {@link #newBatch()}, so a load of any
 * size lives in {@code concurrency + 1} buffers, and once every request has ended {@link #close()} hands them to
 * whoever makes the next indexer.
 */
public final class BulkIndexer implements AutoCloseable {

    /** Longer than the engine client's socket timeout, so every request in flight has ended by then. */
    private static final Duration IN_FLIGHT_TIMEOUT = Duration.ofMinutes(2);

    private final SearchEngine engine;
    private final String writer;
    private final int concurrency;
    private final Duration retryTimeout;
    private final Duration initialBackoff;
    private final ExecutorService senders;
    private final Semaphore inFlight;
    private final Supplier<BulkBatch> batches;
    private final Consumer<BulkBatch> spare;
    private final Queue<BulkBatch> sent = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final LongAdder documents = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder superseded = new LongAdder();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Tracer tracer;
    private final Timer latency;
    private final Counter retries;
    private final Counter pushedBackDocuments;
    private int pending; // batches submitted and not sent yet; guarded by this
    private int limit; // requests allowed in flight now; guarded by this

    /**
     * @param retryTimeout how long a batch may go without any of its items getting through before the load fails
     * @param batches makes an empty batch when none is free to reuse
     * @param registry gets the latency of each bulk request, the number of retries and of documents pushed back
     */
    public BulkIndexer(SearchEngine engine, String writer, int concurrency, Duration retryTimeout,
            Duration initialBackoff, Supplier<BulkBatch> batches, MeterRegistry registry) {
        this(engine, writer, concurrency, retryTimeout, initialBackoff, batches, batch -> {
        }, registry, TracerProvider.noop().get(""));
    }

    /**
     * @param writer the alias the batches go through: once it is gone, the load fails with a
     *        {@link WriterClosedException}
     * @param retryTimeout how long a batch may go without any of its items getting through before the load fails
     * @param batches makes an empty batch when none is free to reuse
     * @param spare gets the empty batches at {@link #close()}, when no request is in flight any more, to reuse them
     * @param registry gets the latency of each bulk request, the number of retries and of documents pushed back
     * @param tracer makes a span for each batch, under the span of the pass that submits it
     */
    public BulkIndexer(SearchEngine engine, String writer, int concurrency, Duration retryTimeout,
            Duration initialBackoff, Supplier<BulkBatch> batches, Consumer<BulkBatch> spare, MeterRegistry registry,
            Tracer tracer) {
        this.engine = engine;
        this.tracer = tracer;
        this.latency = Timer.builder("reindex.bulk.requests").description("Latency of the _bulk requests")
                .register(registry);
        this.retries = Counter.builder("reindex.bulk.retries")
                .description("_bulk requests sent again after a 429, a 5xx or a lost connection").register(registry);
        this.pushedBackDocuments = Counter.builder("reindex.bulk.pushed.back")
                .description("Documents the engine could not take now (429 or 503 for the item or the whole request,"
                        + " or no clear answer), sent again")
                .register(registry);
        this.writer = writer;
        this.concurrency = concurrency;
        this.limit = concurrency;
        this.retryTimeout = retryTimeout;
        this.initialBackoff = initialBackoff;
        this.senders = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("bulk-sender-", 0).daemon()
                .factory());
        this.inFlight = new Semaphore(concurrency);
        this.batches = batches;
        this.spare = spare;
    }

    /** An empty batch to fill: one already sent, or a new one while fewer than {@code concurrency + 1} exist. */
    public BulkBatch newBatch() {
        BulkBatch batch = sent.poll();
        return batch == null ? batches.get() : batch;
    }

    /**
     * Hands {@code batch} to a sender, waiting while as many batches are in flight as the engine takes now. Throws the
     * failure of any earlier batch. The batch is reused once sent: the caller must not touch it again.
     */
    public void submit(BulkBatch batch) throws IOException, InterruptedException {
        throwIfFailed();
        inFlight.acquire();
        synchronized (this) {
            pending++;
        }
        // The sender logs with the fields of the pass that submits (RunMdc): the run, the slice; its span is the pass's.
        Context pass = Context.current();
        senders.execute(RunMdc.carried(() -> {
            boolean pushedBack = true;
            Span span = tracer.spanBuilder("bulk").setParent(pass).setAttribute("reindex.documents", batch.size())
                    .startSpan();
            try (Scope scope = span.makeCurrent()) {
                pushedBack = send(batch);
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            } finally {
                span.end();
                batch.clear();
                sent.add(batch);
                sent(pushedBack);
            }
        }));
    }

    /** A batch was sent: one request fewer in flight from now on if the engine pushed back, one more if not. */
    private synchronized void sent(boolean pushedBack) {
        pending--;
        if (pushedBack && limit > 1) {
            limit--; // this sender's permit is kept back
        } else {
            if (!pushedBack && limit < concurrency) {
                limit++;
                inFlight.release();
            }
            inFlight.release();
        }
        notifyAll();
    }

    /** Waits until every submitted batch is indexed; throws the first failure. */
    public void flush() throws IOException, InterruptedException {
        synchronized (this) {
            while (pending > 0) {
                wait();
            }
        }
        throwIfFailed();
    }

    /**
     * Sends {@code batch} and returns once all its documents are indexed; throws otherwise.
     *
     * @return whether the engine pushed back on any of it (429, 503, an unclear answer)
     */
    boolean send(BulkBatch batch) throws IOException, InterruptedException {
        bytes.add(batch.bytes());
        return deliver(batch);
    }

    private boolean deliver(BulkBatch batch) throws IOException, InterruptedException {
        if (batch.isOversized()) {
            // A document larger than the bound goes alone rather than making the whole request too large.
            boolean pushedBack = false;
            for (BulkBatch half : batch.halves()) {
                pushedBack |= deliver(half);
            }
            return pushedBack;
        }
        BulkBatch pending = batch;
        Backoff backoff = Backoff.from(initialBackoff);
        long lastThrough = System.nanoTime();
        for (boolean pushedBack = false;; pushedBack = true) {
            Attempt result = sendOnce(pending);
            if (result.tooLarge()) {
                if (pending.size() == 1) {
                    throw new BulkFailedException(writer, "document " + pending.ids().getFirst() + " has "
                            + pending.bytes() + " bytes, more than the engine accepts in one request (413)");
                }
                for (BulkBatch half : pending.halves()) {
                    pushedBack |= deliver(half);
                }
                return pushedBack;
            }
            if (result.answer().failures().stream().anyMatch(BulkResult.ItemFailure::targetGone)) {
                throw new WriterClosedException(writer);
            }
            if (!result.answer().failures().isEmpty()) {
                throw new BulkFailedException(writer, result.answer().failures());
            }
            documents.add(result.answer().succeeded());
            superseded.add(result.answer().superseded());
            List<String> again = result.answer().rejectedIds();
            if (again.isEmpty()) {
                return pushedBack;
            }
            if (result.answer().succeeded() + result.answer().superseded() > 0) {
                lastThrough = System.nanoTime();
            }
            Duration stuck = Duration.ofNanos(System.nanoTime() - lastThrough);
            if (stuck.compareTo(retryTimeout) >= 0) {
                throw new BulkFailedException(writer, again.size() + " documents still not indexed: nothing of them got"
                        + " through for " + retryTimeout + " (reindex.bulk.retry-timeout): " + result.why());
            }
            Duration wait = backoff.next();
            Log.warnf("Through %s: %d documents not indexed (%s), sending them again in %d ms", writer, again.size(),
                    result.why(), wait.toMillis());
            retries.increment();
            pushedBackDocuments.increment(again.size());
            if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new BulkFailedException(writer, "the load was abandoned with " + again.size()
                        + " documents still to send again");
            }
            pending = pending.retain(again);
        }
    }

    /** The engine's answer, or a whole batch to send again, and why; or the engine found the request too large. */
    private record Attempt(BulkResult answer, String why, boolean tooLarge) {
        static Attempt again(BulkBatch batch, String why) {
            return new Attempt(new BulkResult(0, batch.ids(), List.of()), why, false);
        }
    }

    /**
     * Sends once. Items the engine could not take now, and whole requests that failed in a way the next attempt may
     * not (429, 5xx, the connection lost or refused, a timeout), come back to be sent again: every write in a batch
     * gives the same result however often it is repeated.
     */
    private Attempt sendOnce(BulkBatch batch) throws IOException {
        long start = System.nanoTime();
        try {
            return new Attempt(engine.bulk(writer, batch.buffer(), batch.offset(), batch.bytes()),
                    "the engine could not take them now (429 or 503)",
                    false);
        } catch (SearchEngine.TooLargeException e) {
            return new Attempt(null, null, true);
        } catch (ResponseException e) {
            if (SearchEngine.isUnclear(e)) {
                return Attempt.again(batch, "the engine answered " + SearchEngine.status(e));
            }
            throw e;
        } catch (IOException e) {
            return Attempt.again(batch, e.toString());
        } finally {
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private void throwIfFailed() throws IOException, InterruptedException {
        Exception e = failure.get();
        switch (e) {
            case null -> {
            }
            case IOException io -> throw io;
            case InterruptedException interrupted -> throw interrupted;
            case RuntimeException runtime -> throw runtime;
            default -> throw new UncheckedIOException(new IOException(e));
        }
    }

    /** Documents indexed so far. */
    public long documents() {
        return documents.sum();
    }

    /** Conditional writes the engine refused because the document had changed since it was read. */
    public long superseded() {
        return superseded.sum();
    }

    /** Bytes of NDJSON sent so far, retries not counted. */
    public long bytes() {
        return bytes.sum();
    }

    /**
     * Stops retrying and waits for the requests still in flight, so that nothing of a pass is still sending when it
     * has ended.
     */
    @Override
    public void close() {
        closing.countDown();
        senders.shutdown();
        try {
            if (!senders.awaitTermination(IN_FLIGHT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                Log.warnf("Bulk requests into %s still in flight after %s", writer, IN_FLIGHT_TIMEOUT);
                return;
            }
            for (BulkBatch batch; (batch = sent.poll()) != null;) {
                spare.accept(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
