package io.companies.reindexer.reindex;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.index.IndexNames;
import io.companies.reindexer.messaging.Printable;
import io.companies.reindexer.messaging.ReindexCompleted;
import io.companies.reindexer.messaging.ReindexRequested;
import io.companies.reindexer.source.Fingerprints;
import io.companies.reindexer.state.AliasLock;
import io.companies.reindexer.state.OutcomeOutbox;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.ClaimedRun;
import io.companies.reindexer.state.RunLedgerException;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Judges each request, records the accepted ones durably and runs them on a thread of its own, so that a run of many
 * minutes never holds a Kafka record. The run thread serves every waiting request of the alias in one run, under a
 * database lock that allows one run per alias across all instances; whenever it takes the lock it first repairs what
 * an interrupted run left. It wakes when a request arrives and every {@code reindex.poll-interval} otherwise, which
 * also serves requests another instance accepted but could not run, and takes over the runs of instances that died.
 * Outcomes go to the outbox, which the {@link OutboxRelay} publishes.
 */
@ApplicationScoped
public class ReindexCoordinator {

    private static final int MAX_REQUESTED_BY = 256;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    // How a run's fingerprints are recorded with its swap: 120 KB a row.
    private static final int FINGERPRINT_CHUNK = 10_000;

    @Inject
    ReindexConfig config;

    @Inject
    Reindexer reindexer;

    @Inject
    CrashRepair repair;

    @Inject
    RunLedger ledger;

    @Inject
    OutcomeOutbox outbox;

    @Inject
    OutboxRelay relay;

    @Inject
    RunTracker tracker;

    /** What {@link #submit} did with a request. */
    public enum Decision {
        /** Recorded; a run serves it soon. */
        ACCEPTED,
        /** The same request id is already waiting or running. */
        PENDING,
        /** The request id already had an outcome, which is published again. */
        REPUBLISHED,
        /** Invalid values: a REJECTED outcome is published. */
        REJECTED,
        /** The feature flag is off: a SKIPPED outcome is published. */
        SKIPPED
    }

    private final Semaphore wakeUp = new Semaphore(0);
    private IndexNames names;
    private String instance;
    private Thread runThread;
    private boolean repaired;
    private volatile boolean stopping;

    void start(@Observes StartupEvent event) {
        names = new IndexNames(config.indexPrefix());
        instance = instanceName();
        runThread = Thread.ofPlatform().name("reindex-run").start(this::serve);
    }

    /**
     * Stops a running run at its next page: it deletes its index, leaves the alias alone and records a FAILED outcome
     * (published at the next start if Kafka is already gone). Observed before the beans are destroyed, so the run
     * still has its database and engine clients while it cleans up.
     */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopping = true;
        wakeUp.release();
        if (!runThread.join(config.shutdownWait())) {
            Log.warnf("The reindex run did not stop within %s; the next start repairs what it leaves",
                    config.shutdownWait());
        }
    }

    /**
     * Judges a request in the order of the contract (invalid values, the feature flag, duplicates) and records it.
     * Returns once the request and any outcome it already has are durable.
     *
     * @throws io.companies.reindexer.state.RunLedgerException when the database is unavailable: nothing was recorded
     */
    public Decision submit(ReindexRequested request) {
        Decision decision = decide(request);
        relay.wake();
        return decision;
    }

    private Decision decide(ReindexRequested request) {
        String alias = request.alias() == null ? config.alias() : request.alias();
        String rejection = rejectionOf(request, alias);
        if (rejection != null) {
            outbox.record(ReindexCompleted.rejected(request.requestId(), Printable.escape(alias), Instant.now(),
                    rejection));
            return Decision.REJECTED;
        }
        if (!config.enabled()) {
            outbox.record(ReindexCompleted.skipped(request.requestId(), alias, Instant.now()));
            return Decision.SKIPPED;
        }
        return switch (ledger.accept(request, alias)) {
            case NEW -> {
                wakeUp.release();
                yield Decision.ACCEPTED;
            }
            case PENDING -> {
                Log.infof("Request %s is already waiting or running: no new run", request.requestId());
                yield Decision.PENDING;
            }
            case REPUBLISHED -> {
                Log.infof("Request %s already has an outcome: publishing it again, no new run", request.requestId());
                yield Decision.REPUBLISHED;
            }
        };
    }

    /** Whether the run thread is alive: it only ends when the service stops. */
    public boolean isServing() {
        return stopping || runThread.isAlive();
    }

    private String rejectionOf(ReindexRequested request, String alias) {
        if (!alias.equals(config.alias())) {
            return "Alias '" + Printable.escape(alias) + "' is not managed by this service, which manages '"
                    + config.alias() + "' only";
        }
        if (request.requestedAt() != null) {
            try {
                DateTimeFormatter.ISO_DATE_TIME.parse(request.requestedAt());
            } catch (DateTimeParseException e) {
                return "requestedAt '" + Printable.escape(request.requestedAt()) + "' is not an ISO-8601 date and time";
            }
        }
        String requestedBy = request.requestedBy();
        if (requestedBy != null) {
            int length = requestedBy.codePointCount(0, requestedBy.length());
            if (length > MAX_REQUESTED_BY) {
                return "requestedBy has " + length + " characters, more than " + MAX_REQUESTED_BY;
            }
            if (Printable.hasControlOrUnpairedSurrogate(requestedBy)) {
                return "requestedBy holds a control character or an unpaired surrogate";
            }
        }
        return null;
    }

    private void serve() {
        while (!stopping) {
            try {
                if (config.enabled()) {
                    serveWaiting();
                } else {
                    skipWaiting();
                }
            } catch (RunLedgerException e) {
                Log.warnf("The database is unavailable: the waiting requests of alias %s are served once it is back"
                        + " (trying again in %s): %s", config.alias(), config.pollInterval(), e.getMessage());
                repaired = false;
            } catch (RuntimeException e) {
                Log.errorf(e, "Serving the waiting requests of alias %s failed; trying again in %s", config.alias(),
                        config.pollInterval());
                // Whatever the failure interrupted (a run not recorded as finished) is repaired on the next pass.
                repaired = false;
            }
            try {
                wakeUp.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUp.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void serveWaiting() {
        String alias = config.alias();
        boolean repairDue = !repaired || ledger.hasUnfinished(alias);
        if (!repairDue && !ledger.hasWaiting(alias)) {
            return;
        }
        Optional<AliasLock> taken = ledger.tryLock(alias);
        if (taken.isEmpty()) {
            Log.debugf("Another instance is running a reindex of alias %s", alias);
            return;
        }
        try (AliasLock lock = taken.get()) {
            // Whenever the lock is taken: a run recorded as unfinished is one whose instance died or lost its lock.
            if (repairDue) {
                repair.repair(alias, names, controlOf(lock, null));
                repaired = true;
            }
            Optional<ClaimedRun> run;
            while (!stopping && (run = ledger.claim(alias, names.next(), instance)).isPresent()) {
                if (!runAndRecord(run.get(), lock)) {
                    return;
                }
            }
        }
    }

    /**
     * With the flag off, requests recorded while it was on but not run yet are answered SKIPPED like new ones, so
     * every accepted request still gets its outcome; no index is touched, repairs included.
     */
    private void skipWaiting() {
        int skipped = ledger.answerWaiting(config.alias(),
                requestId -> ReindexCompleted.skipped(requestId, config.alias(), Instant.now()));
        if (skipped > 0) {
            Log.infof("Reindexing is switched off: %d requests recorded before were answered SKIPPED", skipped);
            relay.wake();
        }
    }

    /** @return whether the run ended; if not, it is left for the repair to finish before any other run */
    private boolean runAndRecord(ClaimedRun run, AliasLock lock) {
        String label = run.id() + " " + run.requestIds();
        List<ReindexCompleted> outcomes;
        tracker.started(run.id(), run.requestIds(), run.index());
        try {
            RunResult result = reindexer.run(label, run.index(), controlOf(lock, run));
            Instant completedAt = Instant.now();
            outcomes = run.requestIds().stream().map(id -> ReindexCompleted.completed(id, run.alias(), result.index(),
                    result.previousIndices(), result.deletedIndices(), result.documents(), run.startedAt(),
                    completedAt)).toList();
        } catch (UnfinishedRunException e) {
            Log.errorf(e, "Run %s is not finished: %s", label, e.getMessage());
            tracker.ended("UNFINISHED");
            repaired = false;
            return false;
        } catch (RuntimeException e) {
            Log.errorf(e, "Run %s failed", label);
            Instant completedAt = Instant.now();
            String index = e instanceof ReindexException failure ? failure.index() : null;
            outcomes = run.requestIds().stream().map(id -> ReindexCompleted.failed(id, run.alias(), index,
                    run.startedAt(), completedAt, e.getMessage())).toList();
        }
        tracker.ended(outcomes.getFirst().status().name());
        finishDurably(label, run, outcomes);
        return true;
    }

    /**
     * Records the outcomes of a run, trying again while the database is down: the run's own error says what happened
     * (an instance that takes the run over meanwhile records it as interrupted instead).
     */
    private void finishDurably(String label, ClaimedRun run, List<ReindexCompleted> outcomes) {
        Duration backoff = Duration.ofSeconds(1);
        while (true) {
            try {
                if (!ledger.finish(run.id(), outcomes)) {
                    Log.warnf("Run %s had been ended by another instance that took it over: its outcome stands", label);
                }
                relay.wake();
                return;
            } catch (RunLedgerException e) {
                if (stopping) {
                    Log.warnf("Run %s ended, but its outcome could not be recorded before the shutdown; the next"
                            + " repair records it as interrupted: %s", label, e.getMessage());
                    return;
                }
                Log.warnf("Run %s ended; recording its outcome again in %s: %s", label, backoff, e.getMessage());
            }
            try {
                wakeUp.tryAcquire(backoff.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /**
     * What a run under {@code lock} checks and records as it goes: it stops when the service stops or the lock is
     * gone, and records its swap only while it still owns its row.
     *
     * @param run null for a repair, which never swaps
     */
    private RunControl controlOf(AliasLock lock, ClaimedRun run) {
        return new RunControl() {
            @Override
            public void checkpoint() {
                if (stopping) {
                    throw new RunStoppedException("Stopped: the service is shutting down");
                }
                try {
                    lock.verifyHeld();
                } catch (AliasLock.LostLockException e) {
                    throw new RunStoppedException(e.getMessage());
                }
            }

            @Override
            public void beforeSwap(long documents, AliasSwap swap, Fingerprints indexed) {
                checkpoint();
                ledger.swapping(run.id(), instance, documents, swap.previous(), swap.deleted(),
                        chunk -> indexed.chunks(FINGERPRINT_CHUNK, chunk));
            }
        };
    }

    /** This process among the service's instances: its host (the pod name on Kubernetes), pid and start. */
    private static String instanceName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown-host";
            }
        }
        return host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
