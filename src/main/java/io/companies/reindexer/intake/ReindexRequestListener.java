package io.companies.reindexer.intake;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.contract.MalformedRequestException;
import io.companies.reindexer.contract.Printable;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.contract.RequestIds;
import io.companies.reindexer.contract.RequestParser;

import io.quarkus.logging.Log;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Consumes {@code reindex-requested}. Takes raw bytes so that a malformed value reaches the dead-letter topic
 * unchanged: nacked with a {@link MalformedRequestException}, the channel's failure strategy sets it aside. A valid
 * request is handed to the {@link RequestIntake} and its record acknowledged once the request is durable; the run
 * itself happens elsewhere, so no thread is held for a run or an outage.
 */
@ApplicationScoped
public class ReindexRequestListener {

    public static final String CHANNEL = "reindex-requested";

    private static final int MAX_BACKLOG = 100;

    private final RequestParser parser = new RequestParser();

    @Inject
    RequestIntake intake;

    @Incoming(CHANNEL)
    public CompletionStage<Void> onRequest(KafkaRecord<byte[], byte[]> record) {
        long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset)
                .orElseThrow();
        ReindexRequested request;
        try {
            request = parser.parse(record.getPayload(),
                    () -> RequestIds.ofRecord(record.getTopic(), record.getPartition(), offset));
        } catch (MalformedRequestException e) {
            Log.warnf("Malformed request at %s-%d offset %d, set aside on the dead-letter topic: %s", record.getTopic(),
                    record.getPartition(), offset, Printable.escape(e.getMessage()));
            return record.nack(e);
        }
        Log.infof("Request %s received for alias %s, requested by %s at %s", request.requestId(),
                request.alias() == null ? "(default)" : Printable.escape(request.alias()),
                Printable.escape(request.requestedBy()), Printable.escape(request.requestedAt()));
        // The consumer's span (SmallRye's), which continues the publisher's traceparent header if the record has one.
        Context trace = record.getMetadata(TracingMetadata.class).map(TracingMetadata::getCurrentContext)
                .orElseGet(Context::root);
        CompletionStage<Void> settled = intake.submit(request, trace).handle((decision, failure) -> {
            if (failure == null) {
                return record.ack();
            }
            Log.warnf("Request %s at %s-%d offset %d set aside on the dead-letter topic: %s", request.requestId(),
                    record.getTopic(), record.getPartition(), offset, Printable.escape(failure.getMessage()));
            return record.nack(failure);
        }).thenCompose(ack -> ack);
        // SmallRye hands over the next record once this stage completes: the listener goes on while requests wait to be
        // recorded, and waits only when many do. The throttled commit strategy commits an offset only once every
        // record before it is acknowledged, so acknowledging out of order loses nothing.
        return intake.backlog() < MAX_BACKLOG ? CompletableFuture.completedFuture(null) : settled;
    }
}
