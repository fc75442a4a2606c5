package io.companies.reindexer.coordination;

import java.util.function.BooleanSupplier;

import io.companies.reindexer.index.AliasSwap;
import io.companies.reindexer.reindex.RunControl;
import io.companies.reindexer.reindex.RunStoppedException;
import io.companies.reindexer.state.AliasLock;
import io.companies.reindexer.state.RunLedger;
import io.companies.reindexer.state.RunLedger.ClaimedRun;

/**
 * What a run under the alias lock checks and records as it goes: it stops when the service stops or the lock is gone,
 * and records its swap only while it still owns its row.
 */
final class LockedRunControl implements RunControl {

    private final AliasLock lock;
    private final BooleanSupplier stopping;
    private final RunLedger ledger;
    private final ClaimedRun run;
    private final String instance;
    private final Runnable wakeWorkers;

    /**
     * @param run null for a repair, which never swaps
     * @param wakeWorkers tells this instance's slice workers that there is work
     */
    LockedRunControl(AliasLock lock, BooleanSupplier stopping, RunLedger ledger, ClaimedRun run, String instance,
            Runnable wakeWorkers) {
        this.lock = lock;
        this.stopping = stopping;
        this.ledger = ledger;
        this.run = run;
        this.instance = instance;
        this.wakeWorkers = wakeWorkers;
    }

    @Override
    public void checkpoint() {
        if (stopping.getAsBoolean()) {
            throw new RunStoppedException("Stopped: the service is shutting down");
        }
        try {
            lock.verifyHeld();
        } catch (AliasLock.LostLockException e) {
            throw new RunStoppedException(e.getMessage());
        }
    }

    @Override
    public void slicesOpened() {
        wakeWorkers.run();
    }

    @Override
    public void beforeSwap(long documents, AliasSwap swap) {
        checkpoint();
        ledger.swapping(run.id(), instance, documents, swap.previous(), swap.deleted());
    }
}
