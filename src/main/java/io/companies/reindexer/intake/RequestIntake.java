package io.companies.reindexer.intake;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.companies.reindexer.contract.MalformedRequestException;
import io.companies.reindexer.contract.Printable;
import io.companies.reindexer.contract.ReindexRequested;
import io.companies.reindexer.coordination.RequestAdmission;
import io.companies.reindexer.coordination.RequestAdmission.Decision;
import io.companies.reindexer.state.RunLedgerException;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Takes requests from Kafka and records them, in order, on a thread of its own: the consumer hands a request over and
 * goes on, and its record is acknowledged once the request is durable. While PostgreSQL is down, recording is tried
 * again with backoff for as long as the outage lasts; the records wait unacknowledged, so a crash or a shutdown
 * meanwhile loses nothing (Kafka delivers them again) and sends nothing to the dead-letter topic. A value the database
 * refuses (SQLState class 22) is the request's fault: the request is set aside as malformed.
 */
@ApplicationScoped
public class RequestIntake {

    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    @Inject
    RequestAdmission admission;

    private record Submission(ReindexRequested request, CompletableFuture<Decision> recorded) {
    }

    private final LinkedBlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
    private Thread thread;

    void start(@Observes StartupEvent event) {
        thread = Thread.ofPlatform().name("request-intake").daemon().start(this::recordInOrder);
    }

    void stop(@Observes ShutdownEvent event) {
        thread.interrupt();
    }

    /** How many requests wait to be recorded. */
    public int backlog() {
        return queue.size();
    }

    /** Completes once the request is durable, or fails with a {@link MalformedRequestException}; never blocks. */
    public CompletionStage<Decision> submit(ReindexRequested request) {
        CompletableFuture<Decision> recorded = new CompletableFuture<>();
        queue.add(new Submission(request, recorded));
        return recorded;
    }

    private void recordInOrder() {
        try {
            while (true) {
                Submission next = queue.take();
                record(next);
            }
        } catch (InterruptedException e) {
            // Stopping: what is left in the queue is not acknowledged, and Kafka delivers it again.
        }
    }

    private void record(Submission submission) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                submission.recorded().complete(admission.admit(submission.request()));
                return;
            } catch (RunLedgerException e) {
                if (e.isBadData()) {
                    submission.recorded().completeExceptionally(new MalformedRequestException(
                            "The database refuses a value of the request: " + Printable.escape(e.getMessage())));
                    return;
                }
                Log.warnf("Request %s not recorded yet, trying again in %s: %s",
                        Printable.escape(submission.request().requestId()), backoff, e.getMessage());
            } catch (RuntimeException e) {
                submission.recorded().completeExceptionally(e);
                return;
            }
            Thread.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }
}
