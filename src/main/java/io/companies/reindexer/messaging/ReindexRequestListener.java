package io.companies.reindexer.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.companies.reindexer.reindex.ReindexCoordinator;
import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * Consumes {@code reindex-requested}. Takes raw bytes so that a malformed value reaches the dead-letter topic
 * unchanged: a {@link MalformedRequestException} nacks the record and the channel's failure strategy sets it aside.
 * A valid request is only handed over here; the run itself happens elsewhere, so the record is acknowledged at once.
 */
@ApplicationScoped
public class ReindexRequestListener {

    public static final String CHANNEL = "reindex-requested";

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
        Log.infof("Request %s received for alias %s, requested by %s at %s", request.requestId(), request.alias(),
                request.requestedBy(), request.requestedAt());
        coordinator.submit(request);
    }
}
