package io.companies.reindexer.messaging;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.companies.reindexer.contract.Printable;
import io.companies.reindexer.contract.ReindexCompleted;
import io.companies.reindexer.plumbing.Traces;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes outcomes on {@code reindex-completed}, keyed by request id, and tells when the broker has them. Each
 * record also carries the CloudEvents attributes in its headers (binary mode): {@code ce_id} is the request id and the
 * status, so an outcome published again carries the same id. Its {@code traceparent} header (the CloudEvents
 * distributed-tracing extension) names the span of its publication, in the trace of its request.
 */
// Created at start, so its meters exist before the first outcome.
@Startup
@ApplicationScoped
public class OutcomePublisher {

    public static final String CHANNEL = "reindex-completed";
    public static final String EVENT_TYPE = "io.companies.reindex.completed";
    public static final URI EVENT_SOURCE = URI.create("urn:companies-reindexer");

    @Inject
    @Channel(CHANNEL)
    Emitter<Record<String, ReindexCompleted>> emitter;

    @Inject
    MeterRegistry registry;

    @Inject
    Tracer tracer;

    private final Map<ReindexCompleted.Status, Counter> outcomes = new EnumMap<>(ReindexCompleted.Status.class);

    /** One series per status from the start, so that an alert on any of them has a value before the first outcome. */
    @PostConstruct
    void registerMeters() {
        for (ReindexCompleted.Status status : ReindexCompleted.Status.values()) {
            outcomes.put(status, Counter.builder("reindex.outcomes").description("Outcomes published, by status")
                    .tag("status", status.name()).register(registry));
        }
    }

    /**
     * Hands {@code outcome} to the Kafka producer; the answer completes once the broker has it, or fails when the
     * producer gave up on it (after its delivery timeout).
     *
     * @param traceparent the trace of the request, continued by the publication's span; null: a trace of its own
     */
    public CompletableFuture<Void> send(ReindexCompleted outcome, String traceparent) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Span span = tracer.spanBuilder("publish outcome").setSpanKind(SpanKind.PRODUCER)
                .setParent(Traces.continuing(traceparent)).setAttribute("reindex.request.id", outcome.requestId())
                .startSpan();
        acked.whenComplete((done, failure) -> span.end());
        RecordHeaders headers = new RecordHeaders();
        String published = Traces.traceparent(Context.root().with(span));
        if (published != null) {
            headers.add(Traces.TRACEPARENT, published.getBytes(StandardCharsets.US_ASCII));
        }
        OutgoingCloudEventMetadata<?> event = OutgoingCloudEventMetadata.builder()
                .withId(outcome.requestId() + ":" + outcome.status())
                .withType(EVENT_TYPE)
                .withSource(EVENT_SOURCE)
                .withSubject(outcome.alias())
                .withTimestamp(outcome.completedAt().atZone(ZoneOffset.UTC))
                .build();
        emitter.send(Message.of(Record.of(outcome.requestId(), outcome))
                .addMetadata(event)
                .addMetadata(OutgoingKafkaRecordMetadata.builder().withHeaders(headers).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return acked.thenRun(() -> {
            outcomes.get(outcome.status()).increment();
            Log.infof("Request %s: published outcome %s (index %s, %s documents, %d ms)%s",
                    Printable.escape(outcome.requestId()), outcome.status(), outcome.index(), outcome.documents(),
                    outcome.durationMs(), outcome.error() == null ? "" : ": " + Printable.escape(outcome.error()));
        });
    }
}
