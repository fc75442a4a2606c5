package io.companies.reindexer.messaging;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.companies.reindexer.reindex.ReindexCoordinator;
import io.companies.reindexer.state.RunLedgerException;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * Consumes {@code reindex-requested}. Takes raw bytes so that a malformed value reaches the dead-letter topic
 * unchanged: a {@link MalformedRequestException} nacks the record and the channel's failure strategy sets it aside.
 * A valid request is only recorded here; the run itself happens elsewhere, so the record is acknowledged as soon as
 * the request is durable.
 */
@ApplicationScoped
public class ReindexRequestListener {

    public static final String CHANNEL = "reindex-requested";

    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final RequestParser parser = new RequestParser();

    @Inject
    ReindexCoordinator coordinator;

    @Incoming(CHANNEL)
    @Blocking
    public void onRequest(ConsumerRecord<byte[], byte[]> record) {
        ReindexRequested request;
        try {
            request = parser.parse(record.value());
        } catch (MalformedRequestException e) {
            Log.warnf("Malformed request at %s-%d offset %d, set aside on the dead-letter topic: %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            throw e;
        }
        Log.infof("Request %s received for alias %s, requested by %s at %s", request.requestId(),
                request.alias() == null ? "(default)" : request.alias(),
                request.requestedBy(), request.requestedAt());
        submitDurably(request);
    }

    /**
     * Returns only once the request is recorded, so its offset is committed only then: while the database is down the
     * consumer waits here instead of losing the request or setting it aside.
     */
    private void submitDurably(ReindexRequested request) {
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                coordinator.submit(request);
                return;
            } catch (RunLedgerException e) {
                Log.warnf("Request %s not recorded yet, trying again in %s: %s", request.requestId(), backoff,
                        e.getMessage());
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted before request " + request.requestId() + " was recorded", e);
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }
}
