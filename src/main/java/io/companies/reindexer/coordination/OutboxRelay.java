package io.companies.reindexer.coordination;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.messaging.OutcomePublisher;
import io.companies.reindexer.plumbing.Worker;
import io.companies.reindexer.state.OutcomeOutbox;
import io.companies.reindexer.state.OutcomeOutbox.Pending;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Publishes the outbox on a thread of its own, so that neither the Kafka consumer nor a run ever waits for the broker.
 * Each outcome is sent once and awaited without blocking the others: a broker that is away for minutes gets each
 * outcome once when it is back (the producer holds and retries it meanwhile), and an outcome that cannot be read or
 * published holds back no other. An outcome is sent again only after the producer gave up on it. It publishes the
 * outcomes of its own alias, to its own topic: another deployment sharing the database publishes its own.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final int BATCH = 100;
    // Longer than the producer's delivery timeout (2 minutes by default), so a claim outlives every send it covers.
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration WHILE_SENDING = Duration.ofSeconds(1);
    private static final Duration FINAL_WAIT = Duration.ofSeconds(5);
    // Past the producer's delivery timeout (2 minutes by default), within the claim.
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(3);

    @Inject
    OutcomeOutbox outbox;

    @Inject
    OutcomePublisher publisher;

    @Inject
    ReindexConfig config;

    private final Map<Long, CompletableFuture<Void>> inFlight = new HashMap<>();
    private final Worker worker = new Worker("outbox-relay", true, this::relay, this::flush);

    void start(@Observes StartupEvent event) {
        worker.start();
    }

    /**
     * Stops after the run thread (a later priority than {@link RunLoop}'s), so that the outcome of a run
     * stopped by the shutdown is still published: the relay sends what is left, waits a little for Kafka's answers,
     * and releases the claims it could not settle, so that the next instance publishes those at once.
     */
    void stop(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) ShutdownEvent event)
            throws InterruptedException {
        worker.stop(FINAL_WAIT.multipliedBy(2));
    }

    /** New outcomes are in the outbox: publish them now rather than at the next poll. */
    public void wake() {
        worker.wake();
    }

    /** One pass: publishes, then waits for Kafka's answers, new outcomes or the next poll. */
    private Duration relay() {
        publish();
        return inFlight.isEmpty() ? config.pollInterval() : WHILE_SENDING;
    }

    /** Once stopped: sends what is left, waits a little for Kafka's answers, and releases what it could not settle. */
    private void flush() {
        publish();
        try {
            CompletableFuture.allOf(inFlight.values().toArray(CompletableFuture[]::new))
                    .get(FINAL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            // What Kafka has not answered by now is released below, for the next instance to send.
        }
        try {
            settle();
            inFlight.keySet().forEach(outbox::release);
        } catch (RuntimeException e) {
            Log.warnf("Outcomes claimed by this instance stay claimed until their claim expires: %s", e.getMessage());
        }
    }

    private void publish() {
        try {
            settle();
            for (Pending pending : outbox.claim(config.alias(), BATCH, LEASE)) {
                send(pending);
            }
        } catch (RuntimeException e) {
            Log.warnf("Outcomes stay in the outbox until they can be published: %s", e.getMessage());
        }
    }

    private void send(Pending pending) {
        if (pending.outcome() == null) {
            Log.errorf("Outbox row %d (request %s) is not a readable outcome: left in the outbox", pending.id(),
                    pending.requestId());
            return;
        }
        // An answer the producer never gives (a record lost on the way) counts as a failure, so the row is sent again.
        CompletableFuture<Void> sent = publisher.send(pending.outcome(), pending.traceparent()).orTimeout(
                SEND_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
        sent.whenComplete((done, failure) -> worker.wake());
        inFlight.put(pending.id(), sent);
    }

    /** Deletes what Kafka took and releases what the producer gave up on, so the next claim sends it again. */
    private void settle() {
        for (Iterator<Map.Entry<Long, CompletableFuture<Void>>> entries = inFlight.entrySet().iterator(); entries
                .hasNext();) {
            Map.Entry<Long, CompletableFuture<Void>> entry = entries.next();
            if (!entry.getValue().isDone()) {
                continue;
            }
            if (entry.getValue().isCompletedExceptionally()) {
                Log.warnf("Kafka did not take outbox row %d; it is sent again: %s", entry.getKey(),
                        entry.getValue().exceptionNow().getMessage());
                outbox.release(entry.getKey());
            } else {
                outbox.delete(entry.getKey());
            }
            entries.remove();
        }
    }
}
