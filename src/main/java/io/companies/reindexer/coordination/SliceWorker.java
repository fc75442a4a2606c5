package io.companies.reindexer.coordination;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.companies.reindexer.config.ReindexConfig;
import io.companies.reindexer.index.WriterClosedException;
import io.companies.reindexer.plumbing.RunMdc;
import io.companies.reindexer.plumbing.Traces;
import io.companies.reindexer.plumbing.Worker;
import io.companies.reindexer.reindex.BuildDefinition;
import io.companies.reindexer.reindex.Checkpoint;
import io.companies.reindexer.reindex.RunStoppedException;
import io.companies.reindexer.reindex.SlicePass;
import io.companies.reindexer.state.DatabaseFailure;
import io.companies.reindexer.state.RunLedgerException;
import io.companies.reindexer.state.SliceLedger;
import io.companies.reindexer.state.SliceLedger.Claim;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * This instance's share of the runs of its alias: {@code reindex.slices.workers} threads that claim the open slices of
 * any live run of the alias, whichever instance leads it, one at a time, and do their pass. A thread of its own renews
 * the claims as the passes go; a graceful shutdown hands the slices back for another instance to take at once. Each
 * worker looks for slices when the run on this instance opens a pass and every {@code reindex.poll-interval}
 * otherwise.
 */
@ApplicationScoped
public class SliceWorker {

    // A slice whose claims failed this often for reasons that looked passing (a kill, a freeze) fails its run; a
    // claim handed back (a graceful shutdown, a database blip) is not a failure.
    private static final int MAX_FAILED_ATTEMPTS = 5;

    @Inject
    Tracer tracer;

    @Inject
    ReindexConfig config;

    @Inject
    SliceLedger slices;

    @Inject
    SlicePass pass;

    @Inject
    InstanceName instance;

    @Inject
    BuildDefinition build;

    @Inject
    MeterRegistry registry;

    private volatile List<Worker> workers = List.of();
    private final Set<HeldClaim> held = ConcurrentHashMap.newKeySet();
    // Claims to hand back once the database answers again: those whose pass a database outage ended.
    private final Queue<Claim> toHandBack = new ConcurrentLinkedQueue<>();
    private final Worker renewer = new Worker("reindex-slice-leases", true, this::renewLeases);
    private Counter claimed;

    void start(@Observes StartupEvent event) {
        // Per instance: the dashboard shows how the slices of the runs spread over the instances.
        claimed = Counter.builder("reindex.slices.claimed").description("Slice passes this instance claimed")
                .register(registry);
        registry.gauge("reindex.slices.held", held, Set::size);
        List<Worker> made = new ArrayList<>();
        for (int i = 0; i < config.slices().workers(); i++) {
            int index = i;
            made.add(new Worker("reindex-slices-" + (i + 1), false, () -> work(made.get(index))));
        }
        workers = List.copyOf(made);
        workers.forEach(Worker::start);
        renewer.start();
    }

    /**
     * Hands the slices being worked on back, observed before the beans are destroyed. The leases are renewed until
     * every worker has stopped, so that none lapses while its slice is handed back.
     */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        workers.forEach(Worker::requestStop);
        if (!held.isEmpty()) {
            Log.infof("Shutting down: handing back %d slice(s) once their requests under way end", held.size());
        }
        for (Worker worker : workers) {
            if (!worker.awaitStop(config.shutdownWait())) {
                Log.warnf("Slice worker %s did not stop within %s; its claim lapses after %s", worker.name(),
                        config.shutdownWait(), config.slices().lease());
            }
        }
        renewer.stopNow();
    }

    /** A run opened a pass: look for slices now rather than at the next poll. */
    void wake() {
        workers.forEach(Worker::wake);
    }

    /** Whether every worker thread and the lease renewer are alive: they only end when the service stops. */
    public boolean isWorking() {
        return renewer.isAlive() && workers.stream().allMatch(Worker::isAlive);
    }

    /**
     * Renews the claims this instance holds every third of their lease, on a thread of its own, so that a page or a
     * bulk request that takes long never lets a claim lapse: only a dead or frozen process loses its slices.
     */
    private Duration renewLeases() {
        held.forEach(HeldClaim::renew);
        return config.slices().lease().dividedBy(3);
    }

    /** One pass of a worker: a slice claimed is worked on, and the next looked for at once; else it waits. */
    private Duration work(Worker worker) {
        try {
            handBackPending();
            Optional<Claim> claim = config.enabled() ? slices.claim(config.alias(), build.fingerprint(),
                    instance.get(), config.slices().lease())
                    : Optional.empty();
            if (claim.isPresent()) {
                try (RunMdc mdc = mdcOf(claim.get())) {
                    tracedWorkOn(claim.get(), worker);
                }
                return Duration.ZERO;
            }
            pass.idle();
        } catch (RunLedgerException e) {
            Log.warnf("The database is unavailable: slices are looked for again in %s: %s", config.pollInterval(),
                    e.getMessage());
        } catch (RuntimeException e) {
            Log.errorf(e, "Looking for slices failed; trying again in %s", config.pollInterval());
        }
        return config.pollInterval();
    }

    /** Hands back the claims a database outage interrupted; those the database still cannot take wait. */
    private void handBackPending() {
        for (Claim claim; (claim = toHandBack.peek()) != null; toHandBack.remove()) {
            if (slices.handBack(claim, instance.get())) {
                try (RunMdc mdc = mdcOf(claim)) {
                    Log.infof("Run %d, slice %d: handed back after the database outage", claim.runId(), claim.slice());
                }
            }
        }
    }

    /** Works on the claim in a span of the trace its run continues, whichever instance leads the run. */
    private void tracedWorkOn(Claim claim, Worker worker) {
        Span span = tracer.spanBuilder("slice pass").setParent(Traces.continuing(claim.traceparent()))
                .setAttribute("reindex.run.id", claim.runId()).setAttribute("reindex.slice", claim.slice())
                .setAttribute("reindex.pass", claim.pass()).startSpan();
        try (Scope scope = span.makeCurrent(); RunMdc trace = RunMdc.trace(span.getSpanContext())) {
            workOn(claim, worker);
        } finally {
            span.end();
        }
    }

    private void workOn(Claim claim, Worker worker) {
        String slice = "Run " + claim.runId() + ", slice " + claim.slice() + " (ids " + claim.bounds().afterId()
                + " to " + claim.bounds().lastId() + "), pass " + claim.pass();
        if (claim.failedAttempts() >= MAX_FAILED_ATTEMPTS) {
            fail(claim, slice + " was taken " + MAX_FAILED_ATTEMPTS + " times and never finished nor handed back;"
                    + " the last attempts' logs say why");
            return;
        }
        claimed.increment();
        HeldClaim lease = new HeldClaim(claim, worker);
        held.add(lease);
        try {
            SlicePass.Done done = pass.run(claim, lease);
            if (slices.complete(claim, instance.get(), done.documents(), done.changes(), done.bytes(),
                    done.fingerprints())) {
                Log.infof("%s: done, %d documents, %d changes", slice, done.documents(), done.changes());
            } else {
                Log.warnf("%s: done, but its claim had lapsed and another instance took the slice: that one's pass counts",
                        slice);
            }
        } catch (WriterClosedException e) {
            slices.release(claim, instance.get());
            Log.warnf("%s: left: %s", slice, e.getMessage());
        } catch (RunStoppedException e) {
            if (worker.isStopping()) {
                slices.handBack(claim, instance.get());
                Log.infof("%s: handed back, the service is shutting down", slice);
            } else {
                slices.release(claim, instance.get());
                Log.warnf("%s: left: %s", slice, e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Log.warnf("%s: interrupted; its claim lapses after %s", slice, config.slices().lease());
        } catch (IOException | RuntimeException e) {
            if (DatabaseFailure.of(e) == DatabaseFailure.OUTAGE) {
                Log.warnf("%s: the database failed (%s); the slice is handed back once it answers again", slice,
                        e.getMessage());
                toHandBack.add(claim);
            } else {
                Log.errorf(e, "%s failed", slice);
                fail(claim, slice + " failed on instance " + instance.get() + ": " + e.getMessage());
            }
        } finally {
            held.remove(lease);
        }
    }

    /** The fields of the claim's pass, on every line the pass logs, its bulk senders' included. */
    private RunMdc mdcOf(Claim claim) {
        return RunMdc.slice(claim.runId(), claim.requestIds(), config.alias(), claim.index(), claim.slice(),
                claim.pass());
    }

    private void fail(Claim claim, String error) {
        try {
            slices.fail(claim, instance.get(), error);
        } catch (RunLedgerException e) {
            Log.warnf("The failure of run %d, slice %d could not be recorded (the slice is tried again once its claim"
                    + " lapses): %s", claim.runId(), claim.slice(), e.getMessage());
        }
    }

    /**
     * A claim this instance holds: renewed by the lease thread, with the pages its pass has read, and checked by the pass
     * at its checkpoints.
     */
    private final class HeldClaim implements Checkpoint {
        private final Claim claim;
        private final Worker worker;
        private final AtomicInteger pages = new AtomicInteger();
        private volatile long renewedAt = System.nanoTime();
        private volatile String lost;

        HeldClaim(Claim claim, Worker worker) {
            this.claim = claim;
            this.worker = worker;
        }

        void renew() {
            try {
                extend();
            } catch (RunLedgerException e) {
                if (System.nanoTime() - renewedAt > config.slices().lease().toNanos()) {
                    lost = "The claim could not be renewed within its lease: " + e.getMessage();
                }
            }
        }

        /** Renews the claim now: a pass that goes on after this held it at this moment. */
        @Override
        public void confirm() {
            checkpoint();
            if (!extend()) {
                throw new RunStoppedException(lost);
            }
        }

        /** Extends the lease in PostgreSQL; false, with the reason kept for the pass, if the claim is not ours. */
        private boolean extend() {
            if (!slices.renew(claim, instance.get(), config.slices().lease(), pages.get())) {
                lost = "The claim lapsed and another instance took the slice, or the run ended";
                return false;
            }
            renewedAt = System.nanoTime();
            return true;
        }

        /** Called by the pass once per page it reads: counts the page, then says whether to go on. */
        @Override
        public void checkpoint() {
            pages.incrementAndGet();
            if (worker.isStopping()) {
                throw new RunStoppedException("Stopped: the service is shutting down");
            }
            if (lost != null) {
                throw new RunStoppedException(lost);
            }
        }
    }
}
