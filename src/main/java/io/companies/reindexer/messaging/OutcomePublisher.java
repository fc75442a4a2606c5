package io.companies.reindexer.messaging;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import io.quarkus.logging.Log;
import io.smallrye.reactive.messaging.kafka.Record;

/** Publishes outcomes on {@code reindex-completed}, keyed by request id, and waits until the broker has them. */
@ApplicationScoped
public class OutcomePublisher {

    public static final String CHANNEL = "reindex-completed";
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    @Channel(CHANNEL)
    Emitter<Record<String, ReindexCompleted>> emitter;

    public void publish(ReindexCompleted outcome) {
        try {
            emitter.send(Record.of(outcome.requestId(), outcome)).toCompletableFuture()
                    .get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Log.infof("Request %s: published outcome %s (index %s, %s documents, %d ms)%s", outcome.requestId(),
                    outcome.status(), outcome.index(), outcome.documents(), outcome.durationMs(),
                    outcome.error() == null ? "" : ": " + outcome.error());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while publishing the outcome of request " + outcome.requestId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Failed to publish the outcome of request " + outcome.requestId() + ": "
                    + e.getMessage(), e);
        }
    }
}
