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
import io.companies.reindexer.plumbing.Backoff;
import io.companies.reindexer.plumbing.Worker;
import io.companies.reindexer.state.RunLedgerException;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

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

    @Inject
    RequestAdmission admission;

    private record Submission(ReindexRequested request, Context trace, CompletableFuture<Decision> recorded) {
    }

    private final LinkedBlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
    private final Worker intake = new Worker("request-intake", true, this::recordNext);

    void start(@Observes StartupEvent event) {
        intake.start();
    }

    /** Stops at once: what is left in the queue is not acknowledged, and Kafka delivers it again. */
    void stop(@Observes ShutdownEvent event) {
        intake.stopNow();
    }

    /** How many requests wait to be recorded. */
    public int backlog() {
        return queue.size();
    }

    /**
     * Completes once the request is durable, or fails with a {@link MalformedRequestException}; never blocks.
     *
     * @param trace the context of the span that received the request, recorded with it for its run and outcome
     */
    public CompletionStage<Decision> submit(ReindexRequested request, Context trace) {
        CompletableFuture<Decision> recorded = new CompletableFuture<>();
        queue.add(new Submission(request, trace, recorded));
        intake.wake();
        return recorded;
    }

    /** One pass: records the oldest request waiting, or waits for one. */
    private Duration recordNext() throws InterruptedException {
        Submission next = queue.poll();
        if (next == null) {
            return Worker.UNTIL_WOKEN;
        }
        record(next);
        return Duration.ZERO;
    }

    private void record(Submission submission) throws InterruptedException {
        Backoff backoff = Backoff.from(FIRST_BACKOFF);
        while (true) {
            Duration wait;
            try (Scope scope = submission.trace().makeCurrent()) {
                submission.recorded().complete(admission.admit(submission.request()));
                return;
            } catch (RunLedgerException e) {
                if (e.isBadData()) {
                    submission.recorded().completeExceptionally(new MalformedRequestException(
                            "The database refuses a value of the request: " + Printable.escape(e.getMessage())));
                    return;
                }
                wait = backoff.next();
                Log.warnf("Request %s not recorded yet, trying again in %s: %s",
                        Printable.escape(submission.request().requestId()), wait, e.getMessage());
            } catch (RuntimeException e) {
                submission.recorded().completeExceptionally(e);
                return;
            }
            Thread.sleep(wait);
        }
    }
}
