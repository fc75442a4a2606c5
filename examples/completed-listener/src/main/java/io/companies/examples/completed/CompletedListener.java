package io.companies.examples.completed;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;

/**
 * Consumes {@code reindex-completed}: one outcome per reindex request, keyed by its {@code requestId}, published at
 * least once. The CloudEvents attributes come in the {@code ce_*} headers (binary mode), which SmallRye reads into
 * {@link IncomingCloudEventMetadata}: {@code ce_id} is {@code <requestId>:<status>}, the same each time the same
 * outcome is published again, so a repeat is recognised by request id and event id and ignored.
 */
@ApplicationScoped
public class CompletedListener {

    static final String EVENT_TYPE = "io.companies.reindex.completed";

    @Inject
    HandledOutcomes outcomes;

    @Incoming("reindex-completed")
    public CompletionStage<Void> onOutcome(Message<Outcome> message) {
        Outcome outcome = message.getPayload();
        @SuppressWarnings("unchecked")
        Optional<IncomingCloudEventMetadata<?>> event = message.getMetadata(IncomingCloudEventMetadata.class)
                .map(metadata -> (IncomingCloudEventMetadata<?>) metadata);
        if (outcome == null || event.isEmpty() || !EVENT_TYPE.equals(event.get().getType())) {
            Log.warnf("Ignored a record of reindex-completed that is not an outcome event");
            return message.ack();
        }
        IncomingCloudEventMetadata<?> ce = event.get();
        if (!outcomes.firstTime(outcome.requestId(), ce.getId())) {
            Log.infof("Request %s: outcome %s seen before (event %s), ignored", outcome.requestId(), outcome.status(),
                    ce.getId());
            return message.ack();
        }
        handle(outcome, ce);
        // Acknowledged once handled: a crash before this line means the outcome comes again, and is handled then.
        return message.ack();
    }

    /** Your team's work goes here; it runs once per outcome (per instance, as long as it lives: see HandledOutcomes). */
    void handle(Outcome outcome, IncomingCloudEventMetadata<?> ce) {
        switch (outcome.status()) {
            case COMPLETED -> Log.infof("Request %s: alias %s now points to %s (%d documents), at %s",
                    outcome.requestId(), outcome.alias(), outcome.index(), outcome.documents(),
                    ce.getTimeStamp().orElse(null));
            case FAILED, REJECTED -> Log.warnf("Request %s: %s for alias %s: %s", outcome.requestId(), outcome.status(),
                    outcome.alias(), outcome.error());
            case SKIPPED -> Log.infof("Request %s: skipped, reindexing is switched off", outcome.requestId());
        }
        outcomes.handled(outcome);
    }
}
